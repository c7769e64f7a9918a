"""Demo data: modelled on Huddinge Socialnämnd's meeting of 2017-02-23, with fictional people.

Case numbers and titles are those of the real kallelse (a public document); every person
is invented. Passwords and API tokens are for the embedded demo only.
"""

MUNICIPALITY = {
    "name": "Huddinge kommun",
    "postal_address": "141 85 Huddinge",
    "visiting_address": "Gymnasietorget 1",
    "phone": "08-535 300 00",
    "email": "huddinge@huddinge.se",
    "web": "www.huddinge.se",
    "registration_number_format": "{prefix}-{year}/{serial}.{class}",
}

ADMINISTRATIONS = {
    "SÄF": {
        "name": "Social- och äldreomsorgsförvaltningen",
        "postal_address": "Social- och äldreomsorgsförvaltningen, 141 85 Huddinge",
    },
    "KSF": {
        "name": "Kommunstyrelsens förvaltning",
        "postal_address": "Kommunstyrelsens förvaltning, 141 85 Huddinge",
    },
}

#: same_person_may_approve_and_sign: whether the reviewer who approved a report may sign it too
COMMITTEES = {
    "SN": {
        "name": "Socialnämnden",
        "administration": "SÄF",
        "notice_days": 7,
        "same_person_may_approve_and_sign": False,
    },
    "KS": {
        "name": "Kommunstyrelsen",
        "administration": "KSF",
        "notice_days": 7,
        "same_person_may_approve_and_sign": False,
    },
}

#: the classification codes the fixture's diarienummer use, with plausible names
CLASSIFICATION = [
    ("103", "Samverkan med andra myndigheter och organisationer"),
    ("181", "Verksamhetsberättelse och årsredovisning"),
    ("182", "Budget och verksamhetsplan"),
    ("183", "Upphandling och valfrihetssystem (LOV)"),
    ("229", "Motioner och medborgarförslag"),
    ("280", "Lokaler och hyresavtal"),
    ("313", "Remisser om detaljplaner och samhällsplanering"),
    ("476", "Trafik och trafiksäkerhet"),
    ("719", "Uppföljning av verksamhet och avtal"),
    ("728", "Rapportering av ej verkställda beslut"),
    ("751", "Organisation och förvaltningsstruktur"),
    ("754", "Familjerätt: adoption och vårdnad"),
    ("905", "Delegationsbeslut och delgivningar"),
    ("909", "Granskning och intern kontroll"),
]

#: extra sections of the municipality's tjänsteutlåtanden (title, required)
REPORT_SECTIONS = [("Ekonomiska konsekvenser", False), ("Barnrättsperspektiv", False)]

#: (key, name, title, phone, roles per committee prefix, password, demo API token)
USERS = [
    (
        "sekreterare",
        "Sara Lindqvist",
        "Nämndsekreterare",
        "08-535 300 11",
        {"SN": ["secretary"]},
        "demo-sekreterare",
        "nf_demo_sekreterare_5Qm2Lr8Tz1",
    ),
    (
        "registrator",
        "Karin Berg",
        "Registrator",
        "08-535 300 12",
        {"SN": ["registrar"], "KS": ["registrar"]},
        "demo-registrator",
        "nf_demo_registrator_7Hx4Nc2Wp9",
    ),
    (
        "handlaggare",
        "Johan Ek",
        "Utredare",
        "08-535 300 13",
        {"SN": ["case_officer"]},
        "demo-handlaggare",
        "nf_demo_handlaggare_3Kd8Vb6Qs4",
    ),
    (
        "controller",
        "Maria Holm",
        "Controller",
        "08-535 300 14",
        {"SN": ["case_officer"]},
        "demo-controller",
        "nf_demo_controller_9Pf1Jx5Rg7",
    ),
    (
        "enhetschef",
        "Per Sundberg",
        "Enhetschef",
        "08-535 300 15",
        {"SN": ["reviewer"]},
        "demo-enhetschef",
        "nf_demo_enhetschef_2Tw7Ym3Lc8",
    ),
    (
        "direktor",
        "Eva Strand",
        "Socialdirektör",
        "08-535 300 16",
        {"SN": ["approver"]},
        "demo-direktor",
        "nf_demo_direktor_6Gn4Hs9Bv2",
    ),
    (
        "ordforande",
        "Gunnel Hedberg",
        "Ordförande",
        "",
        {"SN": ["member"]},
        "demo-ordforande",
        "nf_demo_ordforande_8Zr5Fk1Mq6",
    ),
    ("ledamot", "Ali Karimi", "Ledamot", "", {"SN": ["member"]}, "demo-ledamot", "nf_demo_ledamot_4Xc9Dp7Ht3"),
    (
        "admin",
        "Nils Nord",
        "Systemförvaltare",
        "08-535 300 19",
        {"SN": ["admin"], "KS": ["admin"]},
        "demo-administrator",
        "nf_demo_admin_1Vb6Ws8Ny5",
    ),
    (
        "ks-handlaggare",
        "Olle Ström",
        "Kommunsekreterare",
        "08-535 300 20",
        {"KS": ["case_officer"]},
        "demo-ks-handlaggare",
        "nf_demo_kshandlaggare_5Lq2Ze7Rd4",
    ),
]
EMAIL_DOMAIN = "huddinge.example"
#: who administers the municipality as a whole (besides their roles in committees)
MUNICIPALITY_ADMINS = ("admin",)

#: the cases of the kallelse, in agenda order (number, title, officer key, registered on)
CASES = [
    ("SN-2016/3342.181", "Verksamhetsberättelse 2016 för Socialnämnden", "controller", "2016-12-05"),
    ("SN-2017/50.182", "Justering av budgetram 2017", "controller", "2017-01-10"),
    ("SN-2017/71.280", "Hyresavtal modulhus, Huddinge 1 och 2", "handlaggare", "2017-01-11"),
    ("SN-2017/104.183", "Ansökan om att utföra hemtjänst CuraNova Omsorg AB", "handlaggare", "2017-01-16"),
    (
        "SN-2016/3580.229",
        "Bostadslösningar för nyanlända i Huddinge kommun - svar på motion väckt av Birgitta Ljung (MP), Marica Lindblad (MP) och Marianne Broman (MP)",
        "handlaggare",
        "2016-12-20",
    ),
    (
        "SN-2016/3097.751",
        "Utred möjligheten att etablera en integrationsförvaltning i Huddinge - svar på motion väckt av Martin Nigals (SD)",
        "handlaggare",
        "2016-11-08",
    ),
    (
        "SN-2016/3693.103",
        "Rekommendation: Överenskommelse mellan hälso- och sjukvårdsförvaltningen och juridisk person för bårhus inom Stockholms läns landsting och kommunerna i Stockholms län angående omhändertagande av avlidna - KSL/12/0177-37",
        "handlaggare",
        "2016-12-28",
    ),
    ("SN-2016/3369.476", "Trafiksäkerhetsplan för Huddinge remissvar", "handlaggare", "2016-12-07"),
    (
        "SN-2016/3635.313",
        "Detaljplan för Långsjöskolan, Kråkvik 2:2, standardförfarande remissvar",
        "handlaggare",
        "2016-12-22",
    ),
    (
        "SN-2017/51.313",
        "Detaljplan för Generatorn 2 i Flemingsberg, standard förfarande remissvar",
        "handlaggare",
        "2017-01-10",
    ),
    (
        "SN-2017/30.909",
        "Granskningen av verkställighet av vissa av socialnämndens beslut och besvarande av remisser 2016",
        "controller",
        "2017-01-05",
    ),
    ("SN-2016/2624.719", "Uppföljning av Familjerådgivningen City Mentea", "controller", "2016-09-14"),
    ("SN-2017/90.728", "Icke verkställda beslut 31 december 2016", "controller", "2017-01-13"),
    ("SN-2017/100.905", "Delgivningar och anmälda delegationsbeslut", None, "2017-01-16"),
]

#: external references of the cases that answer another organisation's number
EXTERNAL_REFERENCES = {"SN-2016/3693.103": "KSL/12/0177-37"}

#: confidential cases: number, the confidential title (fictional names), the public title
CONFIDENTIAL_CASES = [
    (
        "SN-2017/12.754",
        "Yttrande till Södertörns tingsrätt angående adoption av Elin Testsson enligt 4 kap. 10 § 1 stycket föräldrabalken",
        "Yttrande till Södertörns tingsrätt angående adoption enligt 4 kap. 10 § 1 stycket föräldrabalken",
        "2017-01-04",
    ),
    (
        "SN-2017/13.754",
        "Yttrande till Södertörns tingsrätt angående adoption av Noah Provsson enligt 4 kap. 10 § 1 stycket föräldrabalken",
        "Yttrande till Södertörns tingsrätt angående adoption enligt 4 kap. 10 § 1 stycket föräldrabalken",
        "2017-01-04",
    ),
    (
        "SN-2017/45.754",
        "Ansökan om överflyttning av vårdnaden om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken samt yrkande om särskilt förordnad vårdnadshavare",
        "Ansökan om överflyttning av vårdnaden enligt 6 kap. 8 § föräldrabalken samt yrkande om särskilt förordnad vårdnadshavare",
        "2017-01-09",
    ),
]
SECRECY_PROVISION = "26 kap. 1 § OSL"

#: a few cases of Kommunstyrelsen, so the demo shows one committee not seeing another's diarium
KS_CASES = [
    ("KS-2017/12.229", "Motion om fler bänkar längs Gymnasievägen", "ks-handlaggare", "2017-01-09"),
    ("KS-2017/37.182", "Budgetuppföljning januari 2017", "ks-handlaggare", "2017-02-01"),
]

MEETING = {
    "committee": "SN",
    "start": "2017-02-23T18:00",
    "place": "Plenum, Gymnasietorget 1",
    "is_public": False,
    "notice_place": "Huddinge",
    "notice_date": "2017-02-02",
    "published": "2017-02-02T15:00",
}

#: the föredragningslista of the kallelse of 2017-02-23, as in the real one (presenters invented);
#: case items name their diarienummer, confidential ones their case (listed by public title)
AGENDA = [
    ("procedural", "Val av justerare", {}),
    ("procedural", "Godkännande av föredragningslistan", {}),
    (
        "information",
        "Information",
        {
            "parts": [
                {
                    "title": "Socialnämndens hälso- och sjukvårdsansvar",
                    "presenter": "Lena Ås, medicinskt ansvarig sjuksköterska",
                },
                {"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"},
            ]
        },
    ),
    ("case", None, {"case": "SN-2016/3342.181"}),
    ("case", None, {"case": "SN-2017/50.182"}),
    ("case", None, {"case": "SN-2017/71.280"}),
    ("case", None, {"case": "SN-2017/104.183"}),
    ("case", None, {"case": "SN-2016/3580.229"}),
    ("case", None, {"case": "SN-2016/3097.751"}),
    ("case", None, {"case": "SN-2016/3693.103", "external_reference": "KSL/12/0177-37"}),
    (
        "case",
        None,
        {
            "case": "SN-2016/3369.476",
            "note": "Remisshandlingar: https://huddinge.se/organisation-ochstyrning/nyheter-press-och-webbtv/nyheter/nyheter-inom-stadsplanering-ochtrafik/2016/trafiksakerhetsplan--remiss-pagar/ (hämtad 2017-01-18)",
        },
    ),
    (
        "case",
        None,
        {
            "case": "SN-2016/3635.313",
            "note": "Remisshandlingar: http://www.huddinge.se/krakvik_langsjoskolan (hämtad 2017-01-12)",
        },
    ),
    (
        "case",
        None,
        {"case": "SN-2017/51.313", "note": "Remisshandlingar - http://www.huddinge.se/generatorn2 (hämtad 2017-01-24)"},
    ),
    ("case", None, {"case": "SN-2017/30.909"}),
    ("case", None, {"case": "SN-2016/2624.719"}),
    ("case", None, {"case": "SN-2017/90.728"}),
    ("procedural", "Övriga frågor", {}),
    ("case", None, {"case": "SN-2017/12.754"}),
    ("case", None, {"case": "SN-2017/13.754"}),
    ("case", None, {"case": "SN-2017/45.754"}),
    ("delegation_report", "Delgivningar och anmälda delegationsbeslut", {"case": "SN-2017/100.905"}),
]

#: delegated decisions reported at the meeting: decided on, decision maker (user key), point, case, summary
DELEGATION_DECISIONS = [
    ("2017-01-12", "direktor", "1.2.3", None, "Yttrande över remiss om länsgemensam riktlinje för hemsjukvård"),
    ("2017-01-19", "enhetschef", "3.4.1", "SN-2017/45.754", "Beslut om tillfällig placering"),
    ("2017-01-30", "direktor", "2.1.1", None, "Tilldelningsbeslut i upphandling av matdistribution"),
]

#: the next meeting, planned with the standing items only: days from today, hour, place
NEXT_MEETING = (24, 18, "Plenum, Gymnasietorget 1")

#: Socialnämnden's seats (invented people; the names the protokoll's sample uses): (kind, name, party, office,
#: the demo user holding it). The ledamöter in their order, then the ersättare in the ersättarordning.
SEATS = [
    ("member", "Gunnel Hedberg", "S", "chair", "ordforande"),
    ("member", "Per Olsson", "M", "first_vice_chair", None),
    ("member", "Ali Karimi", "S", None, "ledamot"),
    ("member", "Birgitta Lund", "MP", None, None),
    ("member", "Johan Sandberg", "M", None, None),
    ("member", "Karin Malm", "L", None, None),
    ("member", "Ahmed Yilmaz", "S", None, None),
    ("member", "Lena Wikström", "C", None, None),
    ("member", "Stefan Ek", "SD", None, None),
    ("member", "Tove Berg", "V", None, None),
    ("member", "Eva Ahlberg", "S", None, None),
    ("deputy", "Mona Nilsson", "S", None, None),
    ("deputy", "Anders Holm", "M", None, None),
    ("deputy", "Lisa Ek", "S", None, None),
    ("deputy", "Sofia Berglund", "L", None, None),
    ("deputy", "Erik Dahl", "C", None, None),
    ("deputy", "Jonas Lindgren", "SD", None, None),
    ("deputy", "Hanna Söder", "V", None, None),
]

#: a confidential bilaga on a public report (never published): case, title, text
CONFIDENTIAL_ATTACHMENT = (
    "SN-2016/3342.181",
    "Utredning om enskild brukare, Kalle Hemligsson",
    "Sekretess enligt 26 kap. 1 § OSL. Utredningen om Kalle Hemligsson och hans behov av stöd.\n",
)

#: short stand-ins for the bilagor named in the demo's reports (the real ones are long PDFs)
ATTACHMENT_TEXT = (
    "{title}\n\nDemoversion av bilagan till tjänsteutlåtandet i ärende {number}. Det verkliga dokumentet "
    "finns hos Huddinge kommun; här står en kort text i dess ställe.\n"
)

#: the protokoll of the meeting of 2017-02-23 (the real one is not at hand; invented but plausible): § numbers from
#: FIRST_PARAGRAPH through the year, who was absent and who served for them, others present, the justering, the
#: paragraph with yrkanden, a vote and a reservation, and the decisions the agenda's items without a signed report
#: take (by item number)
MINUTES = {
    "first_paragraph": 12,
    "absent": "Eva Ahlberg",
    "substitute": "Mona Nilsson",
    "others_present": [
        ("Sara Lindqvist", "nämndsekreterare"),
        ("Eva Strand", "socialdirektör"),
        ("Maria Holm", "controller, § 15"),
    ],
    "adjuster": "Ali Karimi",
    "adjustment_place": "Socialförvaltningen, Kommunalvägen 28, Huddinge",
    "adjustment_at": "2017-03-02T15:00",
    #: the immediate justering at the meeting, then the two approvals of the whole protokoll (local time)
    "immediately_at": "2017-02-23T20:40",
    "chair_approves_at": "2017-03-02T15:05",
    "adjuster_approves_at": "2017-03-02T15:20",
    "decisions": {
        1: ["Ali Karimi (S) utses att jämte ordföranden justera protokollet den 2 mars 2017 klockan 15.00."],
        2: ["Föredragningslistan godkänns."],
        17: ["Inga övriga frågor anmäls."],
        18: ["Socialnämnden lämnar yttrande till tingsrätten i enlighet med förvaltningens förslag."],
        19: ["Socialnämnden lämnar yttrande till tingsrätten i enlighet med förvaltningens förslag."],
        20: ["Socialnämnden beslutar i enlighet med förvaltningens förslag."],
    },
    #: the other items without a signed report are decided as the office proposed at the meeting
    "decision_without_report": ["Socialnämnden beslutar i enlighet med förvaltningens förslag."],
    #: the paragraph with yrkanden, an open vote and a reservation: item 7, CuraNova's application
    "vote_item": 7,
    "vote": {
        "motions": [
            ("Gunnel Hedberg", "approval", ""),
            (
                "Johan Sandberg",
                "amendment",
                "Socialnämnden godkänner CuraNova Omsorg AB:s ansökan om att utföra hemtjänst.",
            ),
        ],
        "order_of_questions": [
            "Ordföranden ställer proposition på förvaltningens förslag mot Johan Sandbergs (M) ändringsyrkande och "
            "finner att nämnden bifaller förvaltningens förslag. Votering begärs.",
            "Nämnden godkänner följande voteringsproposition: Ja för bifall till förvaltningens förslag, "
            "Nej för bifall till Johan Sandbergs (M) ändringsyrkande.",
        ],
        "yes_means": "bifall till förvaltningens förslag",
        "no_means": "bifall till Johan Sandbergs (M) ändringsyrkande",
        "no": ["Per Olsson", "Johan Sandberg", "Karin Malm"],
        "abstain": ["Stefan Ek"],
        "reservations": [
            ("Johan Sandberg", "Moderaterna reserverar sig mot beslutet: valfriheten i hemtjänsten ska värnas."),
            ("Per Olsson", None),
        ],
    },
}
