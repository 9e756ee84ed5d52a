"""SQL deriving the WIMD 2025 and own-nation need measures into area_measures and measure_catalog.

Runs after every source has loaded (so after the IoD2025 measures). Welsh LSOAs are placed in LAD 2024 by the
ONS LSOA 2021 → LAD 2024 best-fit lookup (WIMD names local authorities only); English LSOAs by the LAD the
IoD file carries, as for the IoD2025 measures. Each statement yields no rows when a table it reads is empty.
"""

from __future__ import annotations

from etl.sources._imd2025_sql import shares_sql

# WIMD gives local-authority names only: the code comes from the ONS lookup already in `areas`.
LAD_CODES = """
UPDATE imd_lsoa SET lad_code = a.lad_code
FROM areas a
WHERE imd_lsoa.edition = 'WIMD2025' AND a.level = 'lsoa21' AND a.code = imd_lsoa.lsoa_code;
"""

# LSOA 2021: WIMD 2025 score, rank and decile under their own ids (never mixed with the IoD's).
LSOA_MEASURES = """
INSERT INTO area_measures BY NAME
SELECT 'lsoa21' AS level, lsoa_code AS area_code, measure, value,
       'wimd2025_lsoa' AS source_id, 'WIMD2025' AS vintage, NULL AS denominator_vintage
FROM (
    SELECT lsoa_code, imd_score AS wimd_score, imd_rank::DOUBLE AS wimd_rank, imd_decile::DOUBLE AS wimd_decile
    FROM imd_lsoa WHERE edition = 'WIMD2025'
) UNPIVOT INCLUDE NULLS (value FOR measure IN (wimd_score, wimd_rank, wimd_decile));
"""

# Each LSOA's decile within its own nation: IoD2025 for England, WIMD 2025 for Wales.
OWN_NATION_DECILE = """
INSERT INTO area_measures BY NAME
SELECT 'lsoa21' AS level, lsoa_code AS area_code, 'own_nation_decile' AS measure, imd_decile::DOUBLE AS value,
       CASE edition WHEN 'IoD2025' THEN 'imd2025_lsoa' ELSE 'wimd2025_lsoa' END AS source_id,
       edition AS vintage, NULL AS denominator_vintage
FROM imd_lsoa WHERE edition IN ('IoD2025', 'WIMD2025');
"""

WALES_SHARES = shares_sql(
    editions=("WIMD2025",),
    deciles={"wimd_share_most_deprived_10": 1, "wimd_share_most_deprived_20": 2, "wimd_share_most_deprived_50": 5},
)
OWN_NATION_SHARES = shares_sql(
    editions=("IoD2025", "WIMD2025"),
    deciles={"own_nation_share_most_deprived_10": 1, "own_nation_share_most_deprived_20": 2},
)

# Decile of each Welsh local authority among the 22 by its share of LSOAs in the most deprived 20% of Wales
# (ties: the 10% share, then the code), 1 = most deprived.
LAD_DECILE = """
INSERT INTO area_measures BY NAME
WITH shares AS (
    SELECT area_code,
           any_value(value) FILTER (WHERE measure = 'wimd_share_most_deprived_10') AS share_10,
           any_value(value) FILTER (WHERE measure = 'wimd_share_most_deprived_20') AS share_20
    FROM area_measures WHERE level = 'lad24' AND measure LIKE 'wimd_share_most_deprived_%'
    GROUP BY area_code
)
SELECT 'lad24' AS level, area_code, 'wimd_lad_decile' AS measure,
       ntile(10) OVER (ORDER BY share_20 DESC, share_10 DESC, area_code)::DOUBLE AS value,
       'wimd2025_lsoa' AS source_id, 'WIMD2025' AS vintage, NULL AS denominator_vintage
FROM shares;
"""

CATALOG = """
INSERT OR IGNORE INTO measure_catalog VALUES
('wimd_score', 'WIMD 2025 score (Wales)', 'need', 'score', 'higher_is_worse',
 'Welsh Index of Multiple Deprivation 2025 score of the LSOA as published (Welsh LSOAs only; LSOA level only). Not comparable with IoD scores.'),
('wimd_rank', 'WIMD 2025 rank (Wales)', 'need', 'rank', 'none',
 'WIMD 2025 rank of the LSOA among the 1,917 LSOAs of Wales, 1 = most deprived (LSOA level only).'),
('wimd_decile', 'WIMD 2025 decile (Wales)', 'need', 'decile', 'none',
 'WIMD 2025 decile of the LSOA within Wales, 1 = most deprived 10% (ranks 1-191), by the Welsh Government''s rank key (LSOA level only).'),
('own_nation_decile', 'Deprivation decile within own nation', 'need', 'decile', 'none',
 'Decile of the LSOA within its own nation, 1 = most deprived 10%: IoD2025 IMD decile for English LSOAs, WIMD 2025 decile for Welsh LSOAs. The two indices are separate; only each LSOA''s position in its own nation is compared.'),
('wimd_share_most_deprived_10', 'Share of LSOAs in the most deprived 10% of Wales', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs 2021 in WIMD 2025 decile 1 (ranks 1-191 of 1,917), as in the Welsh Government''s local authority analysis; Welsh areas only.'),
('wimd_share_most_deprived_20', 'Share of LSOAs in the most deprived 20% of Wales', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs 2021 in WIMD 2025 deciles 1-2 (ranks 1-382); Welsh areas only.'),
('wimd_share_most_deprived_50', 'Share of LSOAs in the most deprived 50% of Wales', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs 2021 in WIMD 2025 deciles 1-5 (ranks 1-958); Welsh areas only.'),
('wimd_lad_decile', 'WIMD decile among Welsh local authorities', 'need', 'decile', 'none',
 'Decile of the local authority among the 22 of Wales by its share of LSOAs in the most deprived 20% of Wales (WIMD 2025; ties by the 10% share), 1 = most deprived (LAD level only).'),
('own_nation_share_most_deprived_10', 'Share of neighbourhoods in the most deprived 10% of their own nation', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs 2021 in the most deprived 10% of their own nation: IoD2025 IMD decile 1 for English LSOAs, WIMD 2025 decile 1 for Welsh LSOAs. English and Welsh indices are separate; only own-nation positions are compared.'),
('own_nation_share_most_deprived_20', 'Share of neighbourhoods in the most deprived 20% of their own nation', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs 2021 in the most deprived 20% of their own nation: IoD2025 IMD deciles 1-2 for English LSOAs, WIMD 2025 deciles 1-2 for Welsh LSOAs. English and Welsh indices are separate; only own-nation positions are compared.');
"""

DERIVE = LAD_CODES + LSOA_MEASURES + OWN_NATION_DECILE + WALES_SHARES + OWN_NATION_SHARES + LAD_DECILE + CATALOG
