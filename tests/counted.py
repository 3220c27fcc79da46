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
