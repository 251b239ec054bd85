"""XML from strangers: no entity declarations (billion laughs), no external entities or
DTDs fetched, compressed files inflated only up to a cap."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.web.inflate import GZIP_ONLY, BadData, TooLarge, inflate


class XmlRefused(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse(content: bytes) -> Element:
    """The document's root element, parsed by defusedxml (expat, entities forbidden)."""
    try:
        return defusedxml.ElementTree.fromstring(content)
    except DefusedXmlException as exc:
        raise XmlRefused(Reason.UNSAFE_XML, f"{type(exc).__name__}: {exc}") from exc
    except ParseError as exc:
        raise XmlRefused(Reason.MALFORMED_XML, f"not well-formed XML: {exc}") from exc


def refuse_unsafe(content: bytes) -> None:
    """Raise when the document declares entities or external references. A merely broken
    document passes: lenient parsers (feedparser) make what they can of it. Declarations
    live in the DOCTYPE, before any element, so a later syntax error cannot hide one."""
    try:
        parse(content)
    except XmlRefused as refused:
        if refused.reason == Reason.UNSAFE_XML:
            raise


def gunzip(content: bytes, max_bytes: int) -> bytes:
    """A .gz file (a compressed sitemap), inflated to at most max_bytes."""
    try:
        return inflate(content, max_bytes, GZIP_ONLY)
    except BadData as exc:
        raise XmlRefused(Reason.MALFORMED_XML, f"bad gzip data: {exc}") from exc
    except TooLarge as exc:
        raise XmlRefused(Reason.TOO_LARGE, f"inflates to more than {max_bytes} bytes") from exc


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
