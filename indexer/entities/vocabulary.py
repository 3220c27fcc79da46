"""The one vocabulary of honorifics, titles and unit words, in both scripts.

Every extractor reads it (people, places) and so does the query side (unit words a
search may drop). A word written here is written nowhere else: patterns are built
from these tuples. Longer forms come before their prefixes where order matters; the
pattern builders sort by length anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer import khmer, khmer_words


def alternation(words: Iterable[str], *, spaces: str = r"\s+") -> str:
    """A regex alternation of ``words``, longest first, a space standing for ``spaces``."""
    escaped = {spaces.join(re.escape(part) for part in w.split()) for w in words}
    return "(?:" + "|".join(sorted(escaped, key=len, reverse=True)) + ")"


def _km(*words: str) -> tuple[str, ...]:
    """Khmer words as the analyser normalises them (the text is normalised the same way)."""
    return tuple(khmer.normalise(w) for w in words)


# --- people, Latin script ---------------------------------------------------------------

# Written directly before a name: "H.E. Chea Vandeth", "Dr. Mam Bunheng", "Ms. Thorn Makara".
HONORIFICS_EN = (
    "H.E.",
    "H. E.",
    "H.E",
    "HE",
    "His Excellency",
    "Her Excellency",
    "Their Excellencies",
    "Excellencies",
    "Excellency",
    "H.E.Dr.",
    "Samdech",
    "Lok Chumteav",
    "Lok Chumtiev",
    "Chumteav",
    "Neak Oknha",
    "Oknha",
    "Okhna",
    "Lok",
    # royal-conferred, academic and religious styles
    "Santibandit",
    "Academician",
    "Venerable",
    "Most Venerable",
    "Ven.",
    "Dr.",
    "Dr",
    "Mr.",
    "Mr",
    "Ms.",
    "Ms",
    "Mrs.",
    "Mrs",
    "Miss",
    "Madam",
    "Madame",
    "Prof.",
    "Professor",
    "Assoc. Prof.",
    "Prof. Dr.",
    "Engr.",
    "Eng.",
)
# Royal styles: the person they precede is royalty (a person, never a minister).
ROYAL_TITLES_EN = (
    "His Majesty",
    "Her Majesty",
    "His Royal Highness",
    "Her Royal Highness",
    "Majesty",
    "King",
    "Queen Mother",
    "Queen",
    "Prince",
    "Princess",
    "Preah Bat",
    "Preah Karuna",
    "Samdech Preah",
    "Samdech Krom Preah",
)
# Words of a Cambodian honorary style that stand between an honorific and the name:
# "Samdech Moha Borvor Thipadei Hun Manet", "Samdech Akka Moha Sena Padei Techo Hun Sen".
STYLE_WORDS_EN = (
    "Moha",
    "Borvor",
    "Bovor",
    "Thipadei",
    "Thipadey",
    "Akka",
    "Sena",
    "Padei",
    "Techo",
    "Kralahom",
    "Krolahom",
    "Pheakdei",
    "Santibandit",
    "Academician",
    "Kittisangahak",
    "Kittipritbindit",
    "Bandit",
)
# A formula of homage names the Prime Minister without presenting him acting in this
# announcement: "under the wise leadership of Samdech … Hun Manet", "led by the wise
# leadership and long-term vision of …"; ក្រោមការដឹកនាំដ៏ឈ្លាសវៃរបស់ …
HOMAGE_NOUNS_EN = ("leadership", "guidance", "vision", "patronage", "stewardship")
HOMAGE_KM = ("ក្រោមការដឹកនាំ", "ក្រោមការណែនាំ", "ក្រោមចក្ខុវិស័យ", "ក្រោមការឧបត្ថម្ភ")
# Samdech styles whose words are also given names ("Sok Vibol", "Chan Panha"): matched
# as whole styles before a name, never taken out of a name word by word.
COMPOUND_STYLES_EN = (
    "Samdech Vibol Panha",
    "Samdech Pichey Sena",
    "Samdech Vibol Sena Pheakdei",
    "Samdech Bovor Setha Thipadei",
)
# Offices whose holder has minister rank, and the Latin words that make an office one.
MINISTER_TITLES_EN = ("Deputy Prime Minister", "Prime Minister", "Senior Minister", "Minister")
# Offices that contain "Minister" or sound like it but are not minister rank.
NOT_MINISTER_TITLES_EN = (
    "Secretary of State",
    "Undersecretary of State",
    "Under Secretary of State",
    "Under-Secretary of State",
    "Deputy Minister",
    "Vice Minister",
    "Vice-Minister",
    "Minister Counsellor",
    "Minister-Counsellor",
)
# Other offices written before or after a name.
OFFICE_TITLES_EN = (
    "Secretary of State",
    "Undersecretary of State",
    "Under Secretary of State",
    "Governor",
    "Deputy Governor",
    "Ambassador",
    "Director General",
    "Deputy Director General",
    "Director",
    "Deputy Director",
    "Deputy Head",
    "Head",
    "Principal",
    "President",
    "Vice President",
    "Representative",
    "Chairman",
    "Chairperson",
    "Chair",
    "Chief",
    "Mayor",
    "Rector",
    "Dean",
    "Spokesperson",
    "Spokesman",
    "Advisor",
    "Adviser",
    "Delegate",
    "Secretary General",
    "Commissioner",
)
# A ministry's remit as it stands after "Minister of" or before "Minister": the words of
# the Royal Government's ministries ("Minister of Agriculture, Forestry and Fisheries",
# "Health Minister"). A name never contains them.
PORTFOLIO_WORDS_EN = (
    "Agriculture",
    "Forestry",
    "Fisheries",
    "Health",
    "Education",
    "Youth",
    "Sport",
    "Sports",
    "Interior",
    "National Defence",
    "National Defense",
    "Defence",
    "Defense",
    "Foreign Affairs",
    "International Cooperation",
    "Economy",
    "Finance",
    "Commerce",
    "Trade",
    "Tourism",
    "Environment",
    "Justice",
    "Culture",
    "Fine Arts",
    "Information",
    "Planning",
    "Labour",
    "Labor",
    "Vocational Training",
    "Women's Affairs",
    "Women’s Affairs",
    "Social Affairs",
    "Veterans",
    "Youth Rehabilitation",
    "Rural Development",
    "Water Resources",
    "Meteorology",
    "Public Works",
    "Transport",
    "Land Management",
    "Urban Planning",
    "Construction",
    "Mines",
    "Energy",
    "Cults",
    "Religion",
    "Religions",
    "Posts",
    "Post",
    "Telecommunications",
    "Telecommunication",
    "Industry",
    "Science",
    "Technology",
    "Innovation",
    "Civil Service",
    "Public Service",
    "Parliament",
    "National Assembly",
    "Senate",
    "Relations",
    "Inspection",
    "Council of Ministers",
    "Office of the Council of Ministers",
    "Handicraft",
    "Digital Economy",
)
# Name suffixes: "David L. Almirol Jr."
NAME_SUFFIXES_EN = ("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV")

# --- people, Khmer script ----------------------------------------------------------------

# Written before a name (the space after them is optional in real text).
HONORIFICS_KM = _km(*khmer_words.HONORIFICS)
# Royal styles (a person, never a minister).
ROYAL_TITLES_KM = _km(
    "ព្រះករុណា",
    "ព្រះបាទសម្តេចព្រះបរមនាថ",
    "ព្រះបាទ",
    "ព្រះមហាក្សត្រ",
    "សម្តេចព្រះមហាក្សត្រី",
    "ព្រះវររាជមាតាជាតិខ្មែរ",
    "ព្រះអង្គម្ចាស់",
    "សម្តេចក្រុមព្រះ",
    "សម្តេចព្រះ",
)
# Minister rank, and the offices with រដ្ឋ- in them that are not.
MINISTER_TITLES_KM = _km("ឧបនាយករដ្ឋមន្ត្រី", "នាយករដ្ឋមន្ត្រី", "ទេសរដ្ឋមន្ត្រី", "រដ្ឋមន្ត្រី")
NOT_MINISTER_TITLES_KM = _km("រដ្ឋលេខាធិការ", "អនុរដ្ឋលេខាធិការ", "អនុរដ្ឋមន្ត្រី")
OFFICE_TITLES_KM = _km(
    "អភិបាល",
    "អភិបាលរង",
    "ឯកអគ្គរាជទូត",
    "អគ្គនាយក",
    "អគ្គនាយករង",
    "ប្រធាន",
    "អនុប្រធាន",
    "នាយក",
    "នាយិកា",
    "នាយករង",
    "តំណាង",
    "អ្នកនាំពាក្យ",
    "ទីប្រឹក្សា",
    "សាកលវិទ្យាធិការ",
)
# The word for "ministry" that follows a minister title: រដ្ឋមន្ត្រីក្រសួងសុខាភិបាល.
MINISTRY_KM = khmer.normalise(khmer_words.MINISTRY)
# Words that follow an honorific but are not names: function words, "teacher", roles.
NOT_NAME_KM = frozenset(
    _km(
        "បាន",
        "និង",
        "ក្នុង",
        "នៅ",
        "គ្រូ",
        "អ្នកគ្រូ",
        khmer_words.MINISTRY,
        "ជាថ្នាក់ដឹកនាំ",
        "ថ្នាក់ដឹកនាំ",
        "មន្ត្រី",
        "ទាំងអស់",
        "អ្នក",
    )
    + HONORIFICS_KM
    + ROYAL_TITLES_KM
    + MINISTER_TITLES_KM
    + NOT_MINISTER_TITLES_KM
    + OFFICE_TITLES_KM
)
# Function words a Khmer name word never starts with ("និងកីឡា" is "and sport").
NOT_NAME_START_KM = _km("និង", "នៃ", "ក្នុង", "ដែល", "បាន", khmer_words.MINISTRY, "ជាមួយ", "សម្រាប់")
# Words a name may be glued to ("សាន វឌ្ឍនារដ្ឋលេខាធិការ"): the name is cut there.
GLUED_AFTER_NAME_KM = (
    MINISTER_TITLES_KM + NOT_MINISTER_TITLES_KM + OFFICE_TITLES_KM + _km("បាន", "និង")
)

# --- places: unit words, both scripts -------------------------------------------------------

DISTRICT_UNITS_EN = (
    "districts",
    "district",
    "srok",
    "khan",
    "municipality",
    "city",
    "town",
    "krong",
)
COMMUNE_UNITS_EN = ("communes", "commune", "khum", "sangkat", "sangkats", "quarter")
PROVINCE_UNITS_EN = ("province", "provincial", "capital", "khaet", "khet", "city")
DISTRICT_UNITS_KM = khmer_words.DISTRICT_UNITS
COMMUNE_UNITS_KM = khmer_words.COMMUNE_UNITS
PROVINCE_UNITS_KM = khmer_words.PROVINCE_UNITS
# Latin unit words that are also ordinary English ("city", "capital"): a search keeps them.
_ORDINARY_ENGLISH_UNITS = frozenset(
    {"city", "town", "capital", "quarter", "municipality", "provincial"}
)
UNIT_WORDS_KM = khmer_words.UNIT_WORDS
UNIT_WORDS_EN = tuple(
    w
    for w in dict.fromkeys(PROVINCE_UNITS_EN + DISTRICT_UNITS_EN + COMMUNE_UNITS_EN)
    if w not in _ORDINARY_ENGLISH_UNITS
)
# Unit words qualify a place name; a search ranks by them but need not require them.
SOFT_UNIT_WORDS = frozenset(_km(*UNIT_WORDS_KM) + UNIT_WORDS_EN)
# A unit word at the start of a Khmer name (ស្រុកបាទី) or anywhere in a Latin one.
UNIT_PREFIX_KM = re.compile("^" + alternation(_km(*UNIT_WORDS_KM)))
UNIT_WORD_EN = re.compile(r"(?i)\b" + alternation(UNIT_WORDS_EN) + r"\b")
