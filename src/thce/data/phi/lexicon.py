"""Word lists about people and places that the PHI recognizers consult.

None of these lists removes or keeps text on its own. They feed *contextual* rules:

- ``EPONYM_HEADS``: a capitalised word directly before one of these nouns ("Wilson disease",
  "Lachman test", "Baker's cyst") is medical vocabulary, not a person or a place
  (``DEVICE_HEADS`` does the same for device names).
- ``KNOWN_EPONYMS``: surnames that are also disease names. A *bare, single-word* NER hit on
  one of them ("history of Parkinson's") is kept as medical text, but any real evidence of a
  person ("Mr. Wilson", "Maria Wilson", "daughter Wilson") still wins. There is deliberately no
  global allow-list: "Wilson" is removed when it names someone.
- ``TITLES``, ``CREDENTIALS``, ``RELATIONS``, ``NAME_PARTICLES``: what announces or makes up a
  name; ``US_STATES``, ``LARGE_REGIONS``, ``MONTHS``, ``FUNCTION_WORDS``: words that are not one.

The clinical word lists that veto NER-only hits (``COMMON_CAPITALIZED``,
``MEDICAL_ABBREVIATIONS``, ``DRUG_NAMES``...) live in :mod:`thce.data.phi.clinical_terms` and
are re-exported here.
"""

from __future__ import annotations

from thce.data.phi.clinical_terms import (
    CLINICAL_WORDS,
    COMMON_CAPITALIZED,
    DEVICE_NAMES,
    DRUG_NAMES,
    DRUG_SUFFIX_RE,
    MEDICAL_ABBREVIATIONS,
    MEDICAL_SUFFIX_RE,
    ORGANISM_GENERA,
    _words,
)


def _names(block: str) -> list[str]:
    """Split a comma-separated block of (possibly multi-word) names."""
    return [" ".join(name.split()) for name in block.split(",") if name.strip()]


# Nouns that turn a preceding capitalised word into an eponym ("Graves disease").
EPONYM_HEADS: frozenset[str] = frozenset(
    _words(
        """
    disease diseases syndrome syndromes disorder sign signs test tests maneuver manoeuvre
    lymphoma sarcoma tumor tumour carcinoma palsy fracture fractures esophagus oesophagus
    thyroiditis phenomenon reflex reflexes score scores scale criteria classification class
    stage staging procedure operation repair fundoplication catheter tube monitor stain smear
    cyst cysts node nodes nodules nodule point triad ulcer anemia anaemia angina aneurysm hernia
    contracture neuroma neuralgia encephalopathy encephalitis dementia chorea ataxia dystrophy
    virus fever deformity injury lesion block cell cells body bodies protein proteins wire pin
    bandage inventory index questionnaire equation formula rule method technique approach
    incision position gait respirations respiration breathing murmur sound sounds gallop space
    pouch canal duct gland glands layer membrane tendon ligament nerve area fossa line lines
    zone rings ring spots spot patches sarcoidosis anomaly malformation macroglobulinemia drain
    shunt needle forceps retractor solution agar medium mask valve bag splint brace cast
    traction plexus artery vein loop bypass osteotomy arthroplasty criterion mnemonic tetralogy
    effect ileus diverticulum diverticulitis esotropia cirrhosis ophthalmopathy orbitopathy
    neuropathy myopathy arthritis vasculitis anastomosis dilator bougie sheath gown pump
    hypothesis law collar stockings boot boots tear tears lesions nevus nevi papules keratosis
    grade grades grading rules definition definitions guideline guidelines protocol category
    antigen antigens variant variants chart trocar sealer stapler adl adls strict
    """
    )
)

# Surnames that are also stand-alone disease or test names ("Parkinson's", "Babinski").
KNOWN_EPONYMS: frozenset[str] = frozenset(
    _words(
        """
    Addison Adie Alport Alzheimer Apgar Asperger Babinski Baker Barrett Barré Barre Bartholin
    Becker Behcet Behçet Bell Bence Blalock Bouchard Braden Brudzinski Brugada Buerger Burkitt
    Castleman Chagas Charcot Cheyne Chiari Colles Conn Coombs Crohn Cushing Dandy DiGeorge Dix
    Doppler Down Duchenne Dupuytren Ebstein Ehlers Danlos Epley Epstein Barr Ewing Fabry Fallot
    Fanconi Finkelstein Foley Gaucher Gehrig Gilbert Glasgow Gleason Goodpasture Graves Guillain
    Hallpike Hashimoto Heberden Heimlich Hickman Hirschsprung Hodgkin Holter Homan Homans Horner
    Huntington Kaposi Kawasaki Kayser Fleischer Kernig Klinefelter Korotkoff Korsakoff Kussmaul
    Lachman Lennox Gastaut Lisfranc Lofgren Löfgren Lyme Mallampati Marfan McBurney McMurray
    Meckel Meniere Ménière Mohs Murphy Nissen Osgood Schlatter Paget Pancoast Pap Papanicolaou
    Parkinson Peyronie Phalen Pompe Raynaud Reiter Reye Rinne Romberg Roux Sjogren Sjögren
    Snellen Stokes Swan Ganz Tanner Tay Sachs Tinel Tourette Trendelenburg Turner Valsalva
    Virchow Waldenström Waldenstrom Weber Wegener Wenckebach Wernicke Whipple Willebrand Wilms
    Wilson Wolff Zenker Zollinger Ellison Hallux Kienbock Perthes Legg Scheuermann Still Sezary
    Sézary Ortolani Barlow Galeazzi Allis Thompson Simmonds Hoffmann Hoffman Spurling Lhermitte
    Adson Neer Hawkins Yergason Apley Thessaly Ober FABER Gaenslen Patrick Durkan Froment
    Kanavel Chvostek Trousseau Rovsing Psoas Obturator Cullen Courvoisier Kehr Grey Nikolsky
    Auspitz Koebner Darier Gottron Janeway Osler Roth Quincke Musset Duroziez Traube Corrigan
    Kussmaul Beck Virchow Lynch Marfan Charcot Lewy Pick Binswanger Wernicke Broca Horner Argyll
    Adie Erb Klumpke Volkmann Monteggia Maisonneuve Bennett Rolando Salter Harris Segond Bankart
    Hill-Sachs Kienböck Morton Haglund Sever Pilonidal Bartholin Skene Nabothian Naegele Braxton
    Hicks Leopold Bishop Ballard Moro Kernig Gower Gowers Cheyne-Stokes Mobitz Prinzmetal
    Dressler Takotsubo Kerley Brugada Wenckebach Eisenmenger Fontan Glenn Norwood
    """
    )
)

# Multi-word medical names containing capitalised non-eponym words (places, people).
PROTECTED_PHRASES: tuple[str, ...] = (
    "Rocky Mountain spotted fever",
    "West Nile",
    "New York Heart Association",
    "Glasgow Coma Scale",
    "Glasgow Outcome Scale",
    "Lou Gehrig",
    "Bence Jones",
    "Sister Mary Joseph",
    "Grey Turner",
    "Austin Flint",
    "Argyll Robertson",
    "Marcus Gunn",
    "Ramsay Hunt",
    "Mini-Cog",
    "Mini-Mental",
    "Montreal Cognitive Assessment",
    "Beck Depression Inventory",
    "Richmond Agitation",
    "Hamilton Depression",
    "Child-Pugh",
    "Roux-en-Y",
    "Port-a-Cath",
    "Jackson-Pratt",
    "Swan-Ganz",
    "Stevens-Johnson",
    "Guillain-Barré",
    "Guillain-Barre",
    "Epstein-Barr",
    "Creutzfeldt-Jakob",
    "Lambert-Eaton",
    "Prader-Willi",
    "Wolff-Parkinson-White",
    "Osgood-Schlatter",
    "Legg-Calve-Perthes",
    "Charcot-Marie-Tooth",
    "Kayser-Fleischer",
    "Henoch-Schönlein",
    "Henoch-Schonlein",
    "Dix-Hallpike",
    "Bristol Stool",
    "Ann Arbor staging",
    "Duke Treadmill",
    "Coxsackie",
    "Norwalk",
    "Marburg",
    "Ebola",
    "Lassa",
    "Zika",
    "Hantaan",
    "Spanish flu",
    "Hong Kong flu",
    "Timed Up and Go",
    "Get Up and Go",
    "Mini Nutritional Assessment",
    "Morse Fall",
    "Confusion Assessment Method",
    "Clinical Frailty",
)

# Titles that introduce a person's name.
TITLES: tuple[str, ...] = (
    "Dr", "Doctor", "Mr", "Mrs", "Ms", "Mx", "Miss", "Prof", "Professor", "Rev", "Reverend",
    "Rabbi", "Imam", "Capt", "Sgt", "Nurse", "Officer", "Chaplain", "Deputy", "Detective", "Det",
    "Lt", "Cpl", "Judge", "Pastor",
)  # fmt: skip

# Professional credentials written after a clinician's name ("Kim Lee, MD").
CREDENTIALS: tuple[str, ...] = (
    "MD", "DO", "RN", "NP", "PA-C", "PA", "PhD", "DDS", "DMD", "DPM", "LPN", "CNP", "APRN",
    "FNP", "FNP-C", "CRNA", "PharmD", "DNP", "MSW", "LCSW", "DPT", "CNM", "RD", "MBBS", "FACP",
    "FACC", "FACS", "OD", "AuD", "CCC-A", "CCC-SLP", "SLP", "OTR/L", "OTR", "COTA", "PTA", "MPT",
    "ATC", "RRT", "CNA", "LVN", "BSN", "MSN", "CRNP", "PMHNP", "PMHNP-BC", "AGNP", "AGACNP",
    "ACNP", "ANP", "NNP", "PNP", "CPNP", "FNP-BC", "NP-C", "MPH", "RDN", "CDE", "CDCES", "IBCLC",
    "LPC", "LMFT", "LICSW", "LMSW", "PsyD", "EdD", "RPh", "BCPS", "CPhT", "EMT-P", "NRP", "CCRN",
    "CEN", "MBChB", "FRCP", "FRCS", "FAAP", "FACOG", "FACEP", "FCCP", "LAc", "LMT", "CHW", "CCLS",
    "CCDS", "CEPS", "RVT", "RDMS", "RDCS", "CNMT", "CPFT", "DrPH", "ScD", "PGY-1", "PGY-2", "PGY-3",
)  # fmt: skip

# Family and social relations that introduce a name ("daughter Maria").
RELATIONS: tuple[str, ...] = (
    "wife", "husband", "spouse", "partner", "daughter", "son", "mother", "father", "mom", "dad",
    "sister", "brother", "friend", "caregiver", "guardian", "niece", "nephew", "aunt", "uncle",
    "grandson", "granddaughter", "grandmother", "grandfather", "fiancé", "fiancée", "fiance",
    "neighbor", "neighbour", "roommate", "boyfriend", "girlfriend", "stepson", "stepdaughter",
    "proxy", "officer", "interpreter", "coworker", "employer", "landlord", "pastor", "sponsor",
    "daughter-in-law", "son-in-law", "mother-in-law", "father-in-law", "sister-in-law",
    "brother-in-law", "stepmother", "stepfather", "grandchild", "companion", "ex-wife",
    "ex-husband",
)  # fmt: skip

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands",
}  # fmt: skip

# Geographic names at state level or above: Safe Harbor allows them to stay.
LARGE_REGIONS: frozenset[str] = frozenset(
    [
        *US_STATES.values(),
        *_names(
            """
    US, U.S., USA, U.S.A., America, United States, the United States, Canada, Mexico, Brazil,
    Argentina, Chile, Peru, Colombia, Venezuela, Cuba, Haiti, Jamaica, Guatemala, Honduras,
    Nicaragua, El Salvador, Dominican Republic, UK, U.K., England, Scotland, Wales, Ireland,
    Britain, Great Britain, France, Germany, Spain, Portugal, Italy, Greece, Poland, Ukraine,
    Russia, Sweden, Norway, Finland, Denmark, Netherlands, Belgium, Switzerland, Austria,
    Hungary, Romania, Turkey, Israel, Egypt, Nigeria, Ghana, Kenya, Ethiopia, Somalia, Sudan,
    South Africa, Morocco, Iran, Iraq, Syria, Lebanon, Jordan, Saudi Arabia, Afghanistan,
    Pakistan, India, Bangladesh, Nepal, Sri Lanka, China, Japan, Korea, South Korea, North
    Korea, Vietnam, Thailand, Cambodia, Laos, Philippines, Indonesia, Malaysia, Singapore,
    Australia, New Zealand, Africa, Asia, Europe, South America, North America, Central America,
    Latin America, Caribbean, Middle East, Midwest, New England, Pacific Northwest, West Coast,
    East Coast, the Midwest, the South, the Northeast
    """
        ),
    ]
)

MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

# Device nouns: the capitalised words before them, across model numbers and a few medical
# words, name a device type ("Cochlear Nucleus CI632 implant", "Nucleus 8 sound processor",
# "Abbott Gallant HF CRT-D"), not a person.
DEVICE_HEADS: frozenset[str] = frozenset(
    _words(
        """
    pacemaker pacemakers defibrillator defibrillators icd crt implant implants processor pump
    pumps sensor sensors transmitter transmitters monitor monitors stent stents valve valves
    catheter catheters trocar sealer stapler generator neurostimulator stimulator recorder
    cpap bipap ventilator concentrator glucometer meter prosthesis lvad occluder clip coil lens
    aid aids device devices system scope endoscope laser shunt port inhaler nebulizer
        """
    )
)

# Capitalised at a sentence start, never names. Name-like words ("Will", "May") are absent.
FUNCTION_WORDS: frozenset[str] = frozenset(
    _words(
        """
    a an the and but or nor for so yet in on at to from by of off with without within into onto
    over under after before during since until upon about above below between per via as if when
    while where then than this that these those there here he she they we you i it his her hers
    their theirs our ours your its him them us me my mine is are was were be been being has have
    had do does did not no yes all any both each few more most other some such only own same
    also just very can could should would must shall might who whom whose which what why how
    """
    )
)

# Lower-case particles inside surnames ("Van der Berg", "Ana de la Cruz").
NAME_PARTICLES: tuple[str, ...] = (
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "bin", "ibn",
    "al", "ter", "dos", "das",
)  # fmt: skip

# Words of the medical vocabulary that are also common given names or surnames: they never
# count as medical when deciding whether an NER hit is a name ("Crystal Young" stays a name).
NAME_LIKE_WORDS: frozenset[str] = frozenset(
    _words(
        """
    art bird black bridges brown burns cane chambers crystal cross cutter day duffy field
    foster gene glass hall hill house iris little long may page park ray rich rose ross sharp
    short snow stone summer van walker west white will wood young
    """
    )
)


__all__ = [
    "CLINICAL_WORDS",
    "COMMON_CAPITALIZED",
    "CREDENTIALS",
    "DEVICE_HEADS",
    "DEVICE_NAMES",
    "DRUG_NAMES",
    "DRUG_SUFFIX_RE",
    "EPONYM_HEADS",
    "FUNCTION_WORDS",
    "KNOWN_EPONYMS",
    "LARGE_REGIONS",
    "MEDICAL_ABBREVIATIONS",
    "MEDICAL_SUFFIX_RE",
    "MONTHS",
    "NAME_LIKE_WORDS",
    "NAME_PARTICLES",
    "ORGANISM_GENERA",
    "PROTECTED_PHRASES",
    "RELATIONS",
    "TITLES",
    "US_STATES",
]
