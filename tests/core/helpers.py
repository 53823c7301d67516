from html import unescape


def page(response):
    """The page's text with HTML entities decoded, to compare with the French sentences as written."""
    return unescape(response.content.decode())
