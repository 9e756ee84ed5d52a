"""SQL deriving the IoD2025 need measures into area_measures and measure_catalog (a contract for the app).

Each statement yields no rows when a table it reads (areas, population, summaries) is empty.
"""

from __future__ import annotations

from collections.abc import Mapping

# LSOA 2021: the published index, domain scores and supplementary scores, one row per LSOA x measure.
LSOA_MEASURES = """
INSERT INTO area_measures BY NAME
SELECT 'lsoa21' AS level, lsoa_code AS area_code, measure, value,
       'imd2025_lsoa' AS source_id, 'IoD2025' AS vintage, NULL AS denominator_vintage
FROM (
    SELECT lsoa_code, imd_score, imd_rank::DOUBLE AS imd_rank, imd_decile::DOUBLE AS imd_decile,
           income_score, employment_score, education_score, health_score, crime_score,
           housing_score, environment_score, idaci_score, idaopi_score
    FROM imd_lsoa WHERE edition = 'IoD2025'
) UNPIVOT INCLUDE NULLS (value FOR measure IN (
    imd_score, imd_rank, imd_decile, income_score, employment_score, education_score, health_score,
    crime_score, housing_score, environment_score, idaci_score, idaopi_score
));
"""

# Share of an area's LSOAs in the most deprived k tenths of their nation, for every area above LSOA that holds
# LSOAs of the given editions (LADs even when `areas` is empty), by the rule for IoD measures (docs/metrics.md, "Which district an LSOA is in"):
# LADs, upper-tier LAs, regions and England/Wales by the LAD the deprivation file carries (E01027305: West
# Northamptonshire, where the ONS best-fit lookup says Cherwell) and its parents in areas; ICBs by the lsoa21 → ICB
# lookup in areas (which agrees with the IoD file for E01027305: Northamptonshire ICB). Also used for WIMD 2025.
SHARES = """
INSERT INTO area_measures BY NAME
WITH lsoa AS (
    SELECT lsoa_code, lad_code, imd_decile, edition FROM imd_lsoa WHERE edition IN ({editions})
), placed AS (
    SELECT 'lad24' AS level, lad_code AS area_code, imd_decile, edition FROM lsoa WHERE lad_code IS NOT NULL
    UNION ALL
    SELECT p.level, p.area_code, l.imd_decile, l.edition
    FROM lsoa l JOIN areas a ON a.level = 'lad24' AND a.code = l.lad_code
    CROSS JOIN LATERAL (VALUES ('utla24', a.utla_code), ('region', a.region_code), ('country', a.country_code))
        AS p(level, area_code)
    WHERE p.area_code IS NOT NULL
    UNION ALL
    SELECT 'icb24', a.icb_code, l.imd_decile, l.edition
    FROM lsoa l JOIN areas a ON a.level = 'lsoa21' AND a.code = l.lsoa_code WHERE a.icb_code IS NOT NULL
)
SELECT level, area_code, m.measure, avg((imd_decile <= m.deciles)::INTEGER) AS value,
       CASE WHEN bool_and(edition = 'IoD2025') THEN 'imd2025_lsoa' ELSE 'wimd2025_lsoa' END AS source_id,
       string_agg(DISTINCT edition, ', ' ORDER BY edition) AS vintage, NULL AS denominator_vintage
FROM placed CROSS JOIN (VALUES {measures}) AS m(measure, deciles)
GROUP BY level, area_code, m.measure;
"""


def shares_sql(*, editions: tuple[str, ...], deciles: Mapping[str, int]) -> str:
    """The SHARES statement for these editions ('IoD2025', 'WIMD2025') and measures (id → deciles counted)."""
    measures = ", ".join(f"('{measure}', {k})" for measure, k in deciles.items())
    return SHARES.format(editions=", ".join(f"'{edition}'" for edition in editions), measures=measures)


SHARE_MOST_DEPRIVED_20 = shares_sql(editions=("IoD2025",), deciles={"imd_share_lsoas_most_deprived_20": 2})

# Published summaries (File 10 v2 / File 13): headline average score and share in the most
# deprived 10%, and each domain's average score.
PUBLISHED_SUMMARY = """
INSERT INTO area_measures BY NAME
SELECT '{level}' AS level, {code} AS area_code,
       CASE WHEN domain = 'imd' AND measure = 'proportion_most_deprived_10' THEN 'imd_share_most_deprived_10'
            ELSE domain || '_average_score' END AS measure,
       value, '{source_id}' AS source_id, 'IoD2025' AS vintage, NULL AS denominator_vintage
FROM {table}
WHERE edition = 'IoD2025'
  AND ((domain = 'imd' AND measure = 'proportion_most_deprived_10')
       OR (measure = 'average_score' AND domain IN
           ('imd', 'income', 'employment', 'education', 'health', 'crime', 'housing', 'environment')));
"""

# Decile of the published IMD average score among all LADs, 1 = most deprived.
LAD_DECILE = """
INSERT INTO area_measures BY NAME
SELECT 'lad24' AS level, lad_code AS area_code, 'imd_lad_decile' AS measure,
       ntile(10) OVER (ORDER BY value DESC, lad_code)::DOUBLE AS value,
       'imd2025_lad' AS source_id, 'IoD2025' AS vintage, NULL AS denominator_vintage
FROM imd_lad WHERE edition = 'IoD2025' AND domain = 'imd' AND measure = 'average_score';
"""

# Upper-tier LA / region / England: LAD published average scores weighted by Census 2021
# residents; NULL for a parent when any of its LADs has no population; nothing without population.
WEIGHTED_AVERAGE_SCORE = """
INSERT INTO area_measures BY NAME
WITH lad AS (
    SELECT s.lad_code, s.value AS score, p.population
    FROM imd_lad s
    LEFT JOIN population p
      ON p.area_code = s.lad_code AND p.level = 'lad24' AND p.age_group = 'all' AND p.vintage = 'census-2021'
    WHERE s.edition = 'IoD2025' AND s.domain = 'imd' AND s.measure = 'average_score'
), placed AS (
    SELECT x.level, x.area_code, lad.score, lad.population
    FROM lad JOIN areas a ON a.level = 'lad24' AND a.code = lad.lad_code
    CROSS JOIN LATERAL (VALUES ('utla24', a.utla_code), ('region', a.region_code), ('country', a.country_code))
        AS x(level, area_code)
    WHERE x.area_code IS NOT NULL
)
SELECT level, area_code, 'imd_average_score' AS measure,
       CASE WHEN count(population) = count(*) THEN sum(score * population) / sum(population) END AS value,
       'imd2025_lad' AS source_id, 'IoD2025' AS vintage, 'census-2021' AS denominator_vintage
FROM placed
WHERE EXISTS (
    SELECT 1 FROM population WHERE level = 'lad24' AND age_group = 'all' AND vintage = 'census-2021'
)
GROUP BY level, area_code;
"""

CATALOG = """
INSERT OR IGNORE INTO measure_catalog VALUES
('imd_score', 'IMD score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Index of Multiple Deprivation score of the LSOA as published (LSOA level only).'),
('imd_rank', 'IMD rank', 'need', 'rank', 'none',
 'IoD2025 IMD rank of the LSOA among 33,755 in England, 1 = most deprived (LSOA level only).'),
('imd_decile', 'IMD decile', 'need', 'decile', 'none',
 'IoD2025 national IMD decile of the LSOA, 1 = most deprived 10% (LSOA level only).'),
('income_score', 'Income deprivation score', 'need', 'share of residents', 'higher_is_worse',
 'IoD2025 Income domain score: proportion of residents in income deprivation (LSOA level only).'),
('employment_score', 'Employment deprivation score', 'need', 'share of working-age residents', 'higher_is_worse',
 'IoD2025 Employment domain score: proportion of working-age residents involuntarily out of work (LSOA level only).'),
('education_score', 'Education, skills and training score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Education, Skills and Training domain score as published (LSOA level only).'),
('health_score', 'Health deprivation and disability score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Health Deprivation and Disability domain score as published (LSOA level only).'),
('crime_score', 'Crime score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Crime domain score as published (LSOA level only).'),
('housing_score', 'Barriers to housing and services score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Barriers to Housing and Services domain score as published (LSOA level only).'),
('environment_score', 'Living environment score', 'need', 'score', 'higher_is_worse',
 'IoD2025 Living Environment domain score as published (LSOA level only).'),
('idaci_score', 'Income deprivation affecting children (IDACI)', 'need', 'share of children', 'higher_is_worse',
 'IoD2025 IDACI score: proportion of children aged 0-15 in income-deprived families (LSOA level; NULL where File 7 or File 3 scores are not loaded).'),
('idaopi_score', 'Income deprivation affecting older people (IDAOPI)', 'need', 'share of residents 60+', 'higher_is_worse',
 'IoD2025 IDAOPI score: proportion of residents aged 60+ in income deprivation (LSOA level; NULL where File 7 or File 3 scores are not loaded).'),
('imd_average_score', 'IMD average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 IMD average score: for LADs and ICBs the published population-weighted average of LSOA scores (File 10 v2 / File 13); for upper-tier LAs, regions and England the mean of LAD average scores weighted by Census 2021 residents.'),
('imd_share_most_deprived_10', 'Share of LSOAs in the most deprived 10%', 'need', 'share of LSOAs', 'higher_is_worse',
 'IoD2025 published proportion of the area''s LSOAs in the most deprived 10% nationally (LADs from File 10 v2, ICBs from File 13 only).'),
('imd_share_lsoas_most_deprived_20', 'Share of LSOAs in the most deprived 20%', 'need', 'share of LSOAs', 'higher_is_worse',
 'Share of the area''s LSOAs in IoD2025 national IMD deciles 1-2, counted from the LSOA file: LADs by the LAD the IoD file carries, ICBs by the ONS LSOA-to-ICB lookup, upper-tier LAs, regions and England through their LADs.'),
('imd_lad_decile', 'IMD decile among LADs', 'need', 'decile', 'none',
 'Decile of the LAD''s published IoD2025 IMD average score among the 296 LADs of England, 1 = most deprived (LAD level only).'),
('income_average_score', 'Income average score', 'need', 'share of residents', 'higher_is_worse',
 'IoD2025 published Income domain average score (LADs from File 10 v2, ICBs from File 13).'),
('employment_average_score', 'Employment average score', 'need', 'share of working-age residents', 'higher_is_worse',
 'IoD2025 published Employment domain average score (LADs from File 10 v2, ICBs from File 13).'),
('education_average_score', 'Education, skills and training average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 published Education, Skills and Training domain average score (LADs from File 10 v2, ICBs from File 13).'),
('health_average_score', 'Health deprivation and disability average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 published Health Deprivation and Disability domain average score (LADs from File 10 v2, ICBs from File 13).'),
('crime_average_score', 'Crime average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 published Crime domain average score (LADs from File 10 v2, ICBs from File 13).'),
('housing_average_score', 'Barriers to housing and services average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 published Barriers to Housing and Services domain average score (LADs from File 10 v2, ICBs from File 13).'),
('environment_average_score', 'Living environment average score', 'need', 'score', 'higher_is_worse',
 'IoD2025 published Living Environment domain average score (LADs from File 10 v2, ICBs from File 13).');
"""

LSOA_DERIVE = LSOA_MEASURES + SHARE_MOST_DEPRIVED_20 + CATALOG
LAD_DERIVE = (
    PUBLISHED_SUMMARY.format(level="lad24", code="lad_code", source_id="imd2025_lad", table="imd_lad")
    + LAD_DECILE
    + WEIGHTED_AVERAGE_SCORE
)
ICB_DERIVE = PUBLISHED_SUMMARY.format(level="icb24", code="icb_code", source_id="imd2025_icb", table="imd_icb")
