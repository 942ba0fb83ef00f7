"""Fixtures of the families tests: an isolated upload folder and task runs without a time budget."""

import pytest

from families.models import ImportBatch


@pytest.fixture(autouse=True)
def families_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    # Task functions called directly run to the end (no "more" and no re-queue through a broker).
    settings.FAMILY_IMPORT_TASK_SECONDS = None
    return settings


@pytest.fixture
def make_batch(office, supervisor):
    """Return a function that stores a file as an upload would and creates its batch (validating)."""
    from families import services

    def make(path, file_format="csv"):
        class Upload:
            name = path.name

            def chunks(self):
                with open(path, "rb") as handle:
                    while chunk := handle.read(64 * 1024):
                        yield chunk

        batch, created = services.register_upload(
            office=office, uploaded_by=supervisor, upload=Upload(), file_format=file_format
        )
        assert created
        return batch

    return make


def reload(batch) -> ImportBatch:
    return ImportBatch.objects.get(pk=batch.pk)
