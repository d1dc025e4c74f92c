"""govwatch extraction engine: pure functions, no Scrapy.

    from crawler.extraction import extract_page, ExtractedPage, decode_html
"""
from .attachments import attachment_text, find_attachments
from .dates import normalise_date
from .decode import decode_html
from .page import ExtractedPage, extract_page

__all__ = ["ExtractedPage", "attachment_text", "decode_html", "extract_page", "find_attachments", "normalise_date"]
