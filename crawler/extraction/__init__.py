"""govwatch extraction engine: pure functions, no Scrapy.

    from crawler.extraction import extract_page, ExtractedPage, decode_html
"""
from .attachments import attachment_text, find_attachments
from .dates import normalise_date
from .decode import decode_html
from .page import ExtractedPage, extract_page

__all__ = ["extract_page", "ExtractedPage", "decode_html", "normalise_date", "find_attachments", "attachment_text"]
