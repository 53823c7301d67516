"""Small real PDFs for demo files (quotes, invoices, proofs), made with WeasyPrint."""

from functools import cache

from django.core.files.base import ContentFile

HTML = """<html lang="fr"><head><style>
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 11pt; margin: 2cm; }}
h1 {{ font-size: 16pt; }}
</style></head><body>
<h1>{title}</h1>
<p>Document de démonstration – Tremplin Numérique.</p></body></html>"""


@cache
def _pdf(title):
    from weasyprint import HTML as Html

    return Html(string=HTML.format(title=title)).write_pdf()


def demo_pdf(name, title):
    """One rendering per kind of document: the demo needs real PDFs, not distinct ones."""
    return ContentFile(_pdf(title), name=name)
