"""Khmer words that both the segmenter (:mod:`indexer.khmer`) and the entity vocabulary
(:mod:`indexer.entities.vocabulary`) need, written once, as typed (each reader
normalises them).

A data module with no imports of ours: :mod:`indexer.khmer` cannot import the
vocabulary (the vocabulary normalises its words with :mod:`indexer.khmer`), so the
words they share live here, below both.
"""

from __future__ import annotations

# Administrative unit words: written before a place's name (ខេត្តតាកែវ, ស្រុកបាទី).
PROVINCE_UNITS = ("ខេត្ត", "រាជធានី", "ក្រុង")
DISTRICT_UNITS = ("ស្រុក", "ខណ្ឌ", "ក្រុង")
COMMUNE_UNITS = ("ឃុំ", "សង្កាត់")
UNIT_WORDS = tuple(dict.fromkeys(PROVINCE_UNITS + DISTRICT_UNITS + COMMUNE_UNITS))

# Honorifics ICU's dictionary glues to the name that follows them (ឯកឧត្តមជា).
GLUED_HONORIFICS = ("ឯកឧត្តម", "លោកជំទាវ", "សម្តេច", "លោកស្រី", "លោក")
# Every honorific written before a name (the space after it is optional in real text).
HONORIFICS = (
    "សម្តេចមហាបវរធិបតី",
    "សម្តេចអគ្គមហាសេនាបតីតេជោ",
    "សម្តេចតេជោ",
    "សម្តេចធិបតី",
    "សម្តេចវិបុលបញ្ញា",
    "សម្តេចពិជ័យសេនា",
    "សម្តេចក្រឡាហោម",
    "សន្តិបណ្ឌិត",
    "ឧត្តមបណ្ឌិត",
    "ព្រះតេជគុណ",
    "ព្រះភិក្ខុ",
    "វិស្វករ",
    *GLUED_HONORIFICS,
    "អ្នកស្រី",
    "អ្នកនាង",
    "កញ្ញា",
    "អ្នកឧកញ៉ា",
    "ឧកញ៉ា",
    "វេជ្ជបណ្ឌិត",
    "បណ្ឌិតសភាចារ្យ",
    "បណ្ឌិត",
    "សាស្ត្រាចារ្យ",
    "សាស្ត្រាចារ្យរង",
    "ឧត្តមសេនីយ៍",
    "ឧត្តមសេនីយ៍ឯក",
)

MINISTRY = "ក្រសួង"  # follows a minister's title: រដ្ឋមន្ត្រីក្រសួងសុខាភិបាល
VILLAGE = "ភូមិ"  # a unit below the commune, which the gazetteer does not hold
SCHOOL = "វិទ្យាល័យ"  # a high school, often named after a place (វិទ្យាល័យព្រះសីហនុ)

# Words ICU glues to the name after them; the segmenter splits them off.
GLUED_BEFORE_NAME = (*UNIT_WORDS, VILLAGE, *GLUED_HONORIFICS, SCHOOL, MINISTRY)
