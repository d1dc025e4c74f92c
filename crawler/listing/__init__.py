"""List-page understanding without a URL pattern: find a column page's main list, the URL shape of its
articles, every same-shape link, and its pager — from one page, on any common Chinese CMS.

    from crawler.listing import read_list_page, ListProfile
"""
from .model import ListLink, ListProfile, ListReading, Pagination
from .reading import read_list_page

__all__ = ["ListLink", "ListProfile", "ListReading", "Pagination", "read_list_page"]
