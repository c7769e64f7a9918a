"""Swedish-looking running text for generated tjänsteutlåtanden and bilagor, put together from the phrases of real
municipal reports (not lorem ipsum): the search at scale meets the words, inflections and compounds it will meet."""

from __future__ import annotations

import random

OPENINGS = [
    "Förvaltningen har fått i uppdrag att utreda {subject}.",
    "Nämnden beslutade {year} att ge förvaltningen i uppdrag att se över {subject}.",
    "Ärendet gäller {subject} inför verksamhetsåret {next_year}.",
    "Kommunfullmäktige har remitterat ärendet om {subject} till nämnden för yttrande.",
    "Förvaltningen redovisar här en uppföljning av {subject} för perioden januari till augusti {year}.",
]
FINDINGS = [
    "Antalet hushåll med ekonomiskt bistånd har minskat med {percent} procent jämfört med föregående år.",
    "Riksnormen för försörjningsstöd höjs med {percent} procent från den 1 januari {next_year}.",
    "Kostnaderna för placeringar av barn och unga ökade under perioden till {amount} miljoner kronor.",
    "Riktlinjerna behöver anpassas till ändringarna i socialtjänstlagen och till rättspraxis.",
    "Inspektionen för vård och omsorg har i sin tillsyn påpekat brister i dokumentationen.",
    "Verksamheten bedöms hålla budget, med en prognos på ett överskott om {amount} miljoner kronor.",
    "Väntetiden till särskilt boende var i genomsnitt {days} dagar, vilket är längre än målet.",
    "Bårhusverksamheten har under året flyttat till nya lokaler vid Sjödalens vårdcentral.",
    "Samverkan med regionen kring barn och unga med psykisk ohälsa har utvecklats.",
    "Andelen brukare som är nöjda med hemtjänsten uppgick till {percent} procent i brukarundersökningen.",
    "Förvaltningen ser en ökning av orosanmälningar som rör barn under tolv år.",
    "Upphandlingen av hemtjänst genomfördes enligt lagen om valfrihetssystem.",
    "Lokalförsörjningsplanen visar ett behov av {count} nya förskoleplatser till år {next_year}.",
    "Trafiksäkerheten vid gång- och cykelvägen längs Kommunalvägen har förbättrats med ny belysning.",
    "Internkontrollen visar att delegationsbesluten anmäls till nämnden i rätt tid.",
    "Medarbetarenkäten visar en hög sjukfrånvaro inom äldreomsorgen, {percent} procent.",
    "Dataskyddsombudet har granskat behandlingen av personuppgifter i verksamhetssystemet.",
    "Avgifterna inom äldreomsorgen följer maxtaxan enligt socialtjänstlagen.",
    "Planen för suicidprevention har tagits fram tillsammans med polisen och regionen.",
    "Serveringstillstånden har följts upp genom {count} tillsynsbesök under året.",
]
VIEWS = [
    "Förvaltningen föreslår att nämnden godkänner {subject}.",
    "Förvaltningen bedömer att förslaget ryms inom nämndens budgetram.",
    "Förvaltningen ser inga hinder mot att bifalla förslaget.",
    "Förslaget bedöms inte få några konsekvenser för barn enligt barnkonventionen.",
    "Förvaltningen föreslår att uppföljningen redovisas för nämnden i december {next_year}.",
]
PROPOSALS = [
    "{committee} godkänner förvaltningens förslag till {subject}.",
    "{committee} överlämnar yttrandet till kommunstyrelsen.",
    "{committee} lägger informationen till handlingarna.",
    "{committee} uppdrar åt förvaltningen att följa upp {subject} under {next_year}.",
]
TABLE_ROWS = [
    "Antal hushåll med försörjningsstöd",
    "Antal beslut om bistånd enligt 4 kap. 1 § SoL",
    "Utbetalt ekonomiskt bistånd, tkr",
    "Antal orosanmälningar",
    "Antal placerade barn och unga",
    "Antal ärenden om färdtjänst",
    "Antal tillsynsbesök",
    "Genomsnittlig handläggningstid, dagar",
]


def _fill(rng: random.Random, template: str, subject: str, year: int, committee: str) -> str:
    return template.format(
        subject=subject,
        year=year,
        next_year=year + 1,
        committee=committee,
        percent=rng.randint(2, 40),
        amount=rng.randint(1, 60),
        days=rng.randint(20, 120),
        count=rng.randint(10, 400),
    )


def report_content(rng: random.Random, *, title: str, subject: str, year: int, committee: str) -> dict:
    """A tjänsteutlåtande's content as a revision stores it (``ReportContent.to_json``)."""

    def paragraphs(templates: list[str], count: int) -> str:
        return "".join(f"<p>{_fill(rng, t, subject, year, committee)}</p>" for t in rng.sample(templates, count))

    return {
        "title": title,
        "report_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sections": {
            "summary": paragraphs(OPENINGS, 1),
            "description": paragraphs(OPENINGS, 1) + paragraphs(FINDINGS, 4),
            "administration_views": paragraphs(VIEWS, 2),
        },
        "proposals": [
            {"text": _fill(rng, t, subject, year, committee), "immediately_adjusted": False}
            for t in rng.sample(PROPOSALS, rng.randint(1, 2))
        ],
        "recipients": ["Kommunstyrelsen"],
        "signatories": [],
    }


def bilaga_text(rng: random.Random, *, subject: str, year: int, committee: str) -> str:
    """The text a worker would read from a bilaga: a heading, a table of figures and a few paragraphs."""
    lines = [f"Bilaga: uppföljning av {subject} {year}", "", "Nyckeltal"]
    for row in rng.sample(TABLE_ROWS, 4):
        lines.append(f"{row}\t{rng.randint(10, 9000)}\t{rng.randint(10, 9000)}")
    lines.append("")
    for template in rng.sample(FINDINGS, 6):
        lines.append(_fill(rng, template, subject, year, committee))
    lines.append(f"Underlaget har tagits fram av förvaltningen på uppdrag av {committee.casefold()}.")
    return "\n".join(lines) + "\n"
