"""Small real PDFs for demo files (quotes, invoices, proofs), made with WeasyPrint."""

from functools import cache

from django.core.files.base import ContentFile

HTML = """<html lang="fr"><head><style>
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 11pt; margin: 2cm; }}
h1 {{ font-size: 16pt; }} td {{ padding: 4px 8px; border-bottom: 1px solid #ccc; }}
</style></head><body>
<h1>{title}</h1><p>{issuer}</p><p>Client : {client}</p>
<table><tr><td>{line}</td><td>{amount}</td></tr></table>
<p>Document de démonstration – Tremplin Numérique.</p></body></html>"""


@cache
def _pdf(title, issuer, client, line, amount):
    from weasyprint import HTML as Html

    return Html(
        string=HTML.format(title=title, issuer=issuer, client=client, line=line, amount=amount)
    ).write_pdf()


def demo_pdf(name, title, issuer, client, line, amount):
    return ContentFile(_pdf(title, issuer, client, line, amount), name=name)
