"""Request middleware of the project."""


class IndonesianByDefaultMiddleware:
    """Speak Bahasa Indonesia unless the user chose another language.

    Counter PCs often run an English browser; Accept-Language would switch the desk to English.
    Dropping the header leaves the language cookie (set by the language switcher) and LANGUAGE_CODE.
    Must run before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
