"""Documents land in a fresh folder per test, so a test can see every file written (and deleted)."""

import pytest

from tests.cast import complaint
from tickets import services


@pytest.fixture
def documents_dir(settings, tmp_path):
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "documents.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def ticket(office, clerk, documents_dir):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def files_in(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
