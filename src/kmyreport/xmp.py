"""XMP metadata: completing the packet the engine wrote, as plain XML (no PDF objects here).

Properties go inside the packet's own `rdf:RDF` (a second `rdf:RDF` is ignored
by validators). PDF/UA-1 identification needs, besides `pdfuaid:part`, the
PDF/A extension schema that declares the `pdfuaid` namespace.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
for _prefix, _uri in (("pdfaExtension", EXTENSION), ("pdfaSchema", SCHEMA), ("pdfaProperty", PROPERTY)):
    ET.register_namespace(_prefix, _uri)


def complete_xmp(packet: bytes, *, metadata: dict[str, Any], pdf_ua: bool) -> bytes:
    """Add publisher, identifier, date, language, keywords and (if `pdf_ua`) PDF/UA-1 to a packet."""
    start = packet.index(b"<rdf:RDF")
    end = packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    rdf = ET.fromstring(packet[start:end])
    description = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    _rdf_list(description, f"{{{DC}}}publisher", "Bag", [metadata["publisher"]])
    ET.SubElement(description, f"{{{DC}}}identifier").text = metadata["identifier"]
    _rdf_list(description, f"{{{DC}}}date", "Seq", [metadata["date"]])
    _rdf_list(description, f"{{{DC}}}language", "Bag", [metadata["language"]])
    if metadata["keywords"]:
        _rdf_list(description, f"{{{DC}}}subject", "Bag", metadata["keywords"])
    if pdf_ua:
        ua = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
        ET.SubElement(ua, f"{{{PDFUAID}}}part").text = "1"
        rdf.append(_pdfua_extension_schema())
    return packet[:start] + ET.tostring(rdf, encoding="utf-8", xml_declaration=False) + packet[end:]


def _rdf_list(parent: ET.Element, tag: str, kind: str, values: list[str]) -> None:
    container = ET.SubElement(ET.SubElement(parent, tag), f"{{{RDF}}}{kind}")
    for value in values:
        ET.SubElement(container, f"{{{RDF}}}li").text = value


def _pdfua_extension_schema() -> ET.Element:
    """The PDF/A extension schema entry declaring the `pdfuaid` namespace and its `part` property."""
    description = ET.Element(f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = ET.SubElement(ET.SubElement(description, f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")
    schema = ET.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    ET.SubElement(schema, f"{{{SCHEMA}}}schema").text = "PDF/UA identification"
    ET.SubElement(schema, f"{{{SCHEMA}}}namespaceURI").text = PDFUAID
    ET.SubElement(schema, f"{{{SCHEMA}}}prefix").text = "pdfuaid"
    properties = ET.SubElement(ET.SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    part = ET.SubElement(properties, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    ET.SubElement(part, f"{{{PROPERTY}}}name").text = "part"
    ET.SubElement(part, f"{{{PROPERTY}}}valueType").text = "Integer"
    ET.SubElement(part, f"{{{PROPERTY}}}category").text = "internal"
    ET.SubElement(part, f"{{{PROPERTY}}}description").text = "Part of ISO 14289 the file conforms to"
    return description
