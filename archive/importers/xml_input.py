"""Reading XML interchange files (TEI, Akoma Ntoso) safely, and telling them apart by content.

Every XML file goes through `parse_xml`: lxml with entity resolution, DTD loading and network
access off and the huge-tree limits on, and any DOCTYPE refused outright, so a "billion
laughs" expansion or an external entity (`<!ENTITY x SYSTEM "file:///etc/passwd">`) is an
error naming the file and line, never a read or a blow-up. The transcript files of both
standards have no use for a DOCTYPE.
"""

from __future__ import annotations

import re

from lxml import etree

from archive.interchange import DocumentError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_ID = f"{{{XML_NS}}}id"
# Akoma Ntoso 3.0 (OASIS), its 2.0 draft (what SayIt writes) and files with no namespace at all.
AKN_NAMESPACES = ("http://docs.oasis-open.org/legaldocml/ns/akn/3.0", "http://www.akomantoso.org/2.0", "")

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(content: bytes, source: str) -> etree._Element:
    """The root element of an XML file, or a DocumentError naming the file and line."""
    match = _DOCTYPE.search(content)
    if match:
        line = content[: match.start()].count(b"\n") + 1
        raise DocumentError(
            "declares a DOCTYPE or entities, which are refused (entity expansion and external "
            "entities are a known attack; TEI and Akoma Ntoso files need neither)",
            source=source,
            line=line,
        )
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentError(
            f"is not well-formed XML: {exc.msg}", source=source, line=exc.lineno or None
        ) from None
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def namespace(element: etree._Element) -> str:
    tag = element.tag
    return (etree.QName(tag).namespace or "") if isinstance(tag, str) else ""


def sniff(content: bytes) -> str | None:
    """`tei`, `akn` or `tei-persons` when the bytes are such an XML file, else None.

    Reads the first 64 KiB only: the root element's name and namespace decide.
    """
    head = content[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return None
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?(TEI|teiCorpus|akomaNtoso|listPerson)[\s>/]", head)
    if match is None:
        return None
    name = match.group(2).decode()
    if name == "akomaNtoso":
        return "akn"
    if name == "listPerson":
        return "tei-persons"
    return "tei"


def text_of(element: etree._Element | None) -> str:
    """All the text inside an element, spaces collapsed."""
    if element is None:
        return ""
    return _SPACE.sub(" ", "".join(str(t) for t in element.itertext())).strip()


# Characters XML 1.0 cannot hold at all (C0 controls but tab and newlines, U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text an XML file can hold: a control character (valid in our JSON) becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def element_error(source: str, element: etree._Element, message: str) -> DocumentError:
    """An error naming the element (`<u>`) and its line in the file."""
    line = element.sourceline if isinstance(element.sourceline, int) else None
    return DocumentError(f"<{local_name(element)}> {message}", source=source, line=line)
