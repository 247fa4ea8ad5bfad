"""Small TEI and Akoma Ntoso files of our own, for the importer, exporter and validation tests."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import SHARED

INTERCHANGE = SHARED / "corpus" / "interchange"
SCHEMAS = INTERCHANGE / "schemas"


def interchange_files(folder: str) -> list[Path]:
    return sorted((INTERCHANGE / folder).glob("*.xml")) if (INTERCHANGE / folder).is_dir() else []


LIST_PERSON = """<listPerson xmlns="http://www.tei-c.org/ns/1.0">
  <person xml:id="PeresShimon">
    <persName>Shimon Peres</persName>
    <persName xml:lang="he">שמעון פרס</persName>
    <persName xml:lang="zh-Hans">西蒙·佩雷斯</persName>
    <occupation>President of Israel</occupation>
    <idno type="wikidata">Q11621</idno>
  </person>
  <person xml:id="Chair1">
    <persName><forename>Ana</forename><surname>Novak</surname></persName>
  </person>
</listPerson>"""

TEI_SITTING = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="test-sitting-2014-04-10" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="main" xml:lang="en">Questions to the President</title>
        <title type="sub" xml:lang="en">Sitting 12</title>
      </titleStmt>
      <publicationStmt>
        <availability><licence>http://creativecommons.org/licenses/by/4.0/</licence></availability>
      </publicationStmt>
      <sourceDesc><bibl><title>Record</title><idno type="URI">https://example.org/sitting-12</idno></bibl></sourceDesc>
    </fileDesc>
    <profileDesc>
      <settingDesc>
        <setting><name type="city">Jerusalem</name><date when="2014-04-10"/></setting>
      </settingDesc>
      PERSONS
    </profileDesc>
  </teiHeader>
  <text xml:lang="en">
    <body>
      <div type="debateSection">
        <head>Opening</head>
        <note type="time">The sitting opened at 10.00.</note>
        <u who="#Chair1" ana="#chair">
          <seg>Order, order.</seg>
          <seg>The President has the floor.</seg>
        </u>
      </div>
      <div type="debateSection">
        <head>Questions</head>
        <u who="#PeresShimon" ana="#regular">
          <seg>Our secret is <gap reason="inaudible"/> learning.</seg>
          <kinesic><desc>nods</desc></kinesic>
          <seg>We learn all our lives.</seg>
        </u>
        <u who="#PeresShimon" xml:lang="he"><seg>תודה רבה.</seg></u>
        <incident><desc>Applause.</desc></incident>
      </div>
    </body>
  </text>
</TEI>
"""


def tei_sitting(persons: str = LIST_PERSON, **replace: str) -> bytes:
    text = TEI_SITTING.replace("PERSONS", f"<particDesc>{persons}</particDesc>" if persons else "")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


AKN_DEBATE = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <debate name="debate">
    <meta>
      <identification source="#archive">
        <FRBRWork><FRBRthis value="/x"/><FRBRuri value="/x"/><FRBRdate date="2011-06-10" name="sitting"/>
          <FRBRauthor href="#archive"/><FRBRcountry value="ke"/></FRBRWork>
        <FRBRExpression><FRBRthis value="/x"/><FRBRuri value="/x"/><FRBRdate date="2011-06-10" name="s"/>
          <FRBRauthor href="#archive"/><FRBRlanguage language="eng"/></FRBRExpression>
        <FRBRManifestation><FRBRthis value="/x"/><FRBRuri value="/x"/><FRBRdate date="2011-06-10" name="x"/>
          <FRBRauthor href="#archive"/></FRBRManifestation>
      </identification>
      <references source="#archive">
        <TLCPerson eId="kappa" href="/ontology/person/kappa" showAs="Mr. Kappa"/>
        <TLCPerson eId="eta" href="/ontology/person/eta" showAs="Mr. Eta"/>
        <TLCRole eId="speaker" href="/ontology/role/speaker" showAs="Mr. Speaker"/>
      </references>
    </meta>
    <preface><p><docTitle>Second meeting</docTitle></p></preface>
    <debateBody>
      <debateSection eId="dbs1">
        <heading>QUESTIONS</heading>
        <narrative>[MR. SPEAKER IN THE CHAIR]</narrative>
        <question eId="q1" by="#kappa"><from>Mr. Kappa:</from><p>Why?</p><p>And when?</p></question>
        <speech by="#speaker"><from>The Speaker:</from><p>Order!</p></speech>
        <answer by="#eta" refersTo="#q1"><from>Mr. Eta</from><p>Because.</p></answer>
        <scene>(Applause)</scene>
      </debateSection>
    </debateBody>
  </debate>
</akomaNtoso>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><u><seg>&lol3;</seg></u></body></text></TEI>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE akomaNtoso [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<akomaNtoso><debate><debateBody><debateSection><speech><p>&secret;</p></speech></debateSection></debateBody></debate></akomaNtoso>
"""
