"""The programme's language is decided by the services: French inside, the caller's back outside."""

from django.utils import translation

from tremplin.core.language import programme_language


@programme_language
def service(calls):
    calls.append(translation.get_language())
    if len(calls) < 2:
        service(calls)
        calls.append(translation.get_language())
    return translation.get_language()


def test_a_decorated_service_runs_in_french_and_gives_the_caller_its_language_back():
    calls = []
    with translation.override("en"):
        assert service(calls) == "fr"
        assert translation.get_language() == "en"
    # A service calling another one: still French after the inner one returns.
    assert calls == ["fr", "fr", "fr"]


def test_a_refused_service_gives_the_caller_its_language_back():
    @programme_language
    def refuse():
        raise ValueError(translation.get_language())

    with translation.override("en"):
        try:
            refuse()
        except ValueError as exc:
            assert str(exc) == "fr"
        assert translation.get_language() == "en"
