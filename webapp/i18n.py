"""The interface in English and Khmer: words, digits and dates.

The interface language is the reader's choice (``?ui=km``, remembered in a cookie);
it is independent of the announcements' language, which is a facet.
"""

from __future__ import annotations

import datetime as dt

UI_LANGS = ("en", "km")
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "km": [
        "មករា",
        "កុម្ភៈ",
        "មីនា",
        "មេសា",
        "ឧសភា",
        "មិថុនា",
        "កក្កដា",
        "សីហា",
        "កញ្ញា",
        "តុលា",
        "វិច្ឆិកា",
        "ធ្នូ",
    ],
}

STRINGS: dict[str, dict[str, str]] = {
    "site": {"en": "Ministry announcements", "km": "សេចក្តីប្រកាសរបស់ក្រសួង"},
    "search_label": {"en": "Search announcements", "km": "ស្វែងរកសេចក្តីប្រកាស"},
    "search": {"en": "Search", "km": "ស្វែងរក"},
    "results": {"en": "results", "km": "លទ្ធផល"},
    "result_count": {"en": "{n} announcements", "km": "សេចក្តីប្រកាស {n}"},
    "no_results": {"en": "No announcement matches.", "km": "គ្មានសេចក្តីប្រកាសត្រូវនឹងការស្វែងរកទេ។"},
    "did_you_mean": {"en": "Did you mean", "km": "តើអ្នកចង់រក"},
    "filters": {"en": "Narrow the results", "km": "ចម្រាញ់លទ្ធផល"},
    "active_filters": {"en": "Active filters", "km": "តម្រងដែលកំពុងប្រើ"},
    "clear_all": {"en": "Clear all", "km": "សម្អាតទាំងអស់"},
    "remove": {"en": "Remove", "km": "ដកចេញ"},
    "minister": {"en": "Minister", "km": "រដ្ឋមន្ត្រី"},
    "province": {"en": "Province", "km": "ខេត្ត"},
    "person": {"en": "Person", "km": "បុគ្គល"},
    "place": {"en": "Place", "km": "ទីកន្លែង"},
    "lang": {"en": "Language", "km": "ភាសា"},
    "year": {"en": "Year", "km": "ឆ្នាំ"},
    "month": {"en": "Month", "km": "ខែ"},
    "from": {"en": "From", "km": "ពី"},
    "to": {"en": "To", "km": "ដល់"},
    "dates": {"en": "Dates", "km": "កាលបរិច្ឆេទ"},
    "apply": {"en": "Apply", "km": "អនុវត្ត"},
    "sort": {"en": "Sort by", "km": "តម្រៀបតាម"},
    "relevance": {"en": "Relevance", "km": "ភាពពាក់ព័ន្ធ"},
    "newest": {"en": "Newest first", "km": "ថ្មីបំផុតមុន"},
    "oldest": {"en": "Oldest first", "km": "ចាស់បំផុតមុន"},
    "previous": {"en": "Previous", "km": "មុន"},
    "next": {"en": "Next", "km": "បន្ទាប់"},
    "page_of": {"en": "Page {page} of {pages}", "km": "ទំព័រ {page} នៃ {pages}"},
    "pagination": {"en": "Pages", "km": "ទំព័រ"},
    "timeline": {"en": "Announcements over time", "km": "សេចក្តីប្រកាសតាមពេលវេលា"},
    "other_version": {"en": "Khmer version", "km": "កំណែភាសាអង់គ្លេស"},
    "read_in_en": {"en": "Read in English", "km": "អានជាភាសាអង់គ្លេស"},
    "read_in_km": {"en": "Read in Khmer", "km": "អានជាភាសាខ្មែរ"},
    "ministers": {"en": "Ministers", "km": "រដ្ឋមន្ត្រី"},
    "provinces": {"en": "Provinces", "km": "ខេត្ត"},
    "people": {"en": "People", "km": "បុគ្គល"},
    "places": {"en": "Places", "km": "ទីកន្លែង"},
    "organisations": {"en": "Organisations", "km": "ស្ថាប័ន"},
    "download": {"en": "Download", "km": "ទាញយក"},
    "feed": {"en": "Follow this search (Atom)", "km": "តាមដានការស្វែងរកនេះ (Atom)"},
    "back": {"en": "Back to search", "km": "ត្រឡប់ទៅការស្វែងរក"},
    "skip": {"en": "Skip to results", "km": "រំលងទៅលទ្ធផល"},
    "en": {"en": "English", "km": "អង់គ្លេស"},
    "km": {"en": "Khmer", "km": "ខ្មែរ"},
    "ui_switch": {"en": "ភាសាខ្មែរ", "km": "English"},
    "error_title": {"en": "That search could not be run", "km": "មិនអាចស្វែងរកបានទេ"},
    "not_found": {"en": "Not found", "km": "រកមិនឃើញ"},
    "help": {
        "en": 'Tip: "exact phrase", -exclude, province:Takeo, minister:"Chea Vandeth", '
        "date:[2024-01-01 to 2024-12-31]",
        "km": 'គន្លឹះ៖ "ឃ្លាពិតប្រាកដ" -ដកចេញ province:Takeo minister:"Chea Vandeth"',
    },
}


def t(key: str, ui: str, **values: object) -> str:
    """The interface string ``key`` in language ``ui``, with numbers in its digits."""
    text = STRINGS[key].get(ui) or STRINGS[key]["en"]
    if values:
        text = text.format(**{k: digits(v, ui) for k, v in values.items()})
    return text


def digits(value: object, ui: str) -> str:
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return text.translate(KHMER_DIGITS) if ui == "km" else text


def date(value: str | dt.date, ui: str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if ui == "km":
        year = digits(str(day.year), ui)
        return f"ថ្ងៃទី{digits(day.day, ui)} ខែ{MONTHS['km'][day.month - 1]} ឆ្នាំ{year}"
    return f"{day.day} {MONTHS['en'][day.month - 1]} {day.year}"


def month_name(month: int | str, ui: str) -> str:
    return MONTHS[ui][int(month) - 1]
