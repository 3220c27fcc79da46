"""Facts of the two corpora the tests search, counted by hand from the files (never by
the code under test): each says how it was counted. Keyed by ``Corpus.real``: ``False``
the bundled sample ``content/``, ``True`` the real corpus in ``../shared``."""

from __future__ import annotations


def km_ids(slugs: str) -> set[str]:
    return {f"km/{slug}" for slug in slugs.split()}


# The Khmer files whose text writes ខេត្តតាកែវ (Takeo province), each in its body:
# ``grep -l ខេត្តតាកែវ km/*.md``, and the same files for តាកែវ alone (the real corpus:
# 24 of its 33 Khmer files; the sample: 5 of 24).
TAKEO_KM = {
    False: km_ids(
        "2023-broadband-kampot sample-2024-ctc-bati-inauguration "
        "sample-2025-sisters-of-code-bati sample-2025-zoom-dialogue-takeo "
        "sample-2026-training-rooms-sodany"
    ),
    True: km_ids(
        "1-post 2-post 3-post 4-post 6-post 7-post 8-post 9-post 10-post 12-post 13-post "
        "14-post 16-post 17-post 18-post 19-post 21-post 22-post 24-post 25-post 26-post "
        "28-post 30-post 31-post"
    ),
}

# The Khmer files that write ម៉ៅ សិលា (Mao Sela, with the space): ``grep -l 'ម៉ៅ សិលា'``.
MAO_SELA_KM = {
    False: km_ids("sample-2025-ctc-russey-keo sample-2025-cybersecurity-women-phnom-penh"),
    True: km_ids("7-post 15-post 19-post 28-post 31-post"),
}

# The Khmer files that write ជា វ៉ាន់ដេត (Chea Vandeth), with or without the space:
# ``grep -lE 'ជា ?វ៉ាន់ដេត' km/*.md``.
CHEA_VANDETH_KM = {
    False: km_ids(
        "2022-digital-literacy-kampong-cham 2023-postal-service-siem-reap 2024-cybersecurity-week "
        "2024-health-telemedicine-kratie 2025-ctc-kandal 2025-flood-warning-sms "
        "2026-postal-code-reform sample-2023-upu-digital-addressing "
        "sample-2024-ctc-bati-inauguration sample-2024-itu-zavazava "
        "sample-2025-zoom-dialogue-takeo"
    ),
    True: km_ids("1-post 2-post 3-post 4-post 18-post"),
}


# Announcements (not files: both versions share a date) of 2025, of July 2025, and of
# July and August 2025, counted by hand from the dates of DATE_FILES below: the sample
# 04-12, 07-03, 07-15, 07-24, 08-05, 08-21, 09-02; the real corpus 03-01, 03-11, 03-14,
# 03-21 (three), 06-14, 06-24, 07-03, 07-05, 07-19, 07-22, 08-13, 08-16, 09-16, 09-26,
# 10-11, 10-18 (two).
ANNOUNCEMENTS_2025 = {False: (7, 3, 5), True: (19, 4, 6)}

# How many files each date query of tests/test_query_bounds.py finds, counted by hand
# from ``grep -h '^date:' */*.md | sort | uniq -c`` over each: the sample's 24
# announcements (48 files) run 2022-11-18 … 2026-06-18, the real corpus's 66 files
# 2023-10-09 … 2026-03-30 (2023: 4 files, 2024: 4, 2025: 38, 2026: 20).
DATE_FILES = {  # (the sample, the real corpus): indexed by ``real`` too
    "date:2025-07-03": (2, 2),
    "date:2025-07": (6, 8),  # sample: 07-03, 07-15, 07-24; real: 07-03, 07-05, 07-19, 07-22
    "date:2025": (14, 38),
    "year:2025": (14, 38),
    "date:[2025-07-01 TO 2025-07-31]": (6, 8),
    "date:[2024 TO 2025-06]": (12, 20),
    "date:[2024 TO]": (38, 62),
    "date:[TO 2024-06]": (16, 6),
    "date:>2025": (14, 20),
    "date:>=2025": (28, 58),
    "date:>=2025-01-01": (28, 58),
    "date:<2024-06": (14, 4),  # real: 2024-06-24 is not before June
    "date:<=2024-06": (16, 6),
    "year:>2024": (28, 58),
}
