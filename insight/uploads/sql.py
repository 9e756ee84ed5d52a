"""SQL for the Your data page. Uploaded rows live only in a temp table of one cursor (memory)."""

from __future__ import annotations

# Areas whose postcodes are outside England and Wales when the lookup does not say (no row for them).
OUT_OF_SCOPE_AREAS = {
    "Scotland": ("AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE"),
    "Northern Ireland": ("BT",),
    "Channel Islands / Isle of Man": ("GY", "JE", "IM"),
}

# NSPL country codes outside England and Wales start S (Scotland), N (NI), L (Channel Islands), M (Isle of Man).
# $pattern: uk_postcode.PATTERN; $scot, $ni, $crown: area lists; the input table byod_input(row, raw, rkey, weight, amount); rkey: the record key.
GEOCODE_POSTCODES = """
CREATE OR REPLACE TEMP TABLE byod_geo AS
WITH cleaned AS (
    SELECT row, rkey, weight, amount, regexp_replace(upper(coalesce(raw, '')), '[^A-Z0-9]', '', 'g') AS compact
    FROM byod_input
), shaped AS (
    SELECT *, regexp_full_match(compact, $pattern) AS valid, regexp_extract(compact, '^[A-Z]+') AS area FROM cleaned
)
SELECT s.row, s.rkey, s.weight, s.amount,
    CASE WHEN s.compact = '' THEN 'missing'
         WHEN NOT s.valid THEN 'invalid'
         WHEN left(p.country_code, 1) IN ('S', 'N', 'L', 'M') THEN 'out_of_scope'
         WHEN p.postcode IS NOT NULL AND coalesce(p.lad24_code, p.lad_code) IS NOT NULL THEN 'matched'
         WHEN p.postcode IS NULL AND list_contains($scot || $ni || $crown, s.area) THEN 'out_of_scope'
         ELSE 'unmatched' END AS status,
    CASE WHEN left(p.country_code, 1) = 'S' OR (p.postcode IS NULL AND list_contains($scot, s.area)) THEN 'Scotland'
         WHEN left(p.country_code, 1) = 'N' OR (p.postcode IS NULL AND list_contains($ni, s.area))
              THEN 'Northern Ireland'
         WHEN left(p.country_code, 1) IN ('L', 'M') OR (p.postcode IS NULL AND list_contains($crown, s.area))
              THEN 'Channel Islands / Isle of Man' END AS scope,
    p.lsoa21_code AS lsoa_code, coalesce(p.lad24_code, p.lad_code) AS lad_code, coalesce(p.terminated, false) AS terminated
FROM shaped s LEFT JOIN postcodes p ON s.valid AND p.pcd_compact = s.compact
"""

# LSOA codes (2021, or 2011 mapped one-to-one) or LAD codes (2024, or older mapped one-to-one).
GEOCODE_AREAS = """
CREATE OR REPLACE TEMP TABLE byod_geo AS
WITH cleaned AS (
    SELECT row, rkey, weight, amount, upper(trim(coalesce(raw, ''))) AS code FROM byod_input
), lsoa11 AS (
    SELECT lsoa11_code, any_value(lsoa21_code) AS lsoa21_code FROM lsoa11_lsoa21
    GROUP BY lsoa11_code HAVING count(DISTINCT lsoa21_code) = 1
), lad_old AS (
    SELECT lad_code, any_value(lad24_code) AS lad24_code FROM lad_successor
    GROUP BY lad_code HAVING count(DISTINCT lad24_code) = 1
), placed AS (
    SELECT c.*, CASE WHEN $kind = 'lsoa' THEN coalesce(l21.code, l11.lsoa21_code) END AS lsoa_code,
        CASE WHEN $kind = 'lsoa' THEN a.lad_code ELSE coalesce(d.code, o.lad24_code) END AS lad_code
    FROM cleaned c
    LEFT JOIN areas l21 ON $kind = 'lsoa' AND l21.level = 'lsoa21' AND l21.code = c.code
    LEFT JOIN lsoa11 l11 ON $kind = 'lsoa' AND l21.code IS NULL AND l11.lsoa11_code = c.code
    LEFT JOIN areas a ON a.level = 'lsoa21' AND a.code = coalesce(l21.code, l11.lsoa21_code)
    LEFT JOIN areas d ON $kind = 'lad' AND d.level = 'lad24' AND d.code = c.code
    LEFT JOIN lad_old o ON $kind = 'lad' AND d.code IS NULL AND o.lad_code = c.code
)
SELECT row, rkey, weight, amount,
    CASE WHEN code = '' THEN 'missing'
         WHEN regexp_matches(code, '^(S|N|95)') AND regexp_full_match(code, '[A-Z0-9]{9}') THEN 'out_of_scope'
         WHEN NOT regexp_full_match(code, '[EW][0-9]{8}') THEN 'invalid'
         WHEN lad_code IS NOT NULL THEN 'matched' ELSE 'unmatched' END AS status,
    CASE WHEN code LIKE 'S%' THEN 'Scotland' WHEN code LIKE 'N%' OR code LIKE '95%' THEN 'Northern Ireland' END AS scope,
    lsoa_code, lad_code, false AS terminated
FROM placed
"""

# Need per LSOA 2021: England from IoD2025; Wales from WIMD 2019 through LSOA 2011 -> 2021 where unambiguous.
NEED_VIEW = """
CREATE OR REPLACE TEMP VIEW byod_need AS (
    SELECT lsoa_code, imd_decile, imd_rank, 'IoD2025' AS edition FROM imd_lsoa WHERE edition = 'IoD2025'
    UNION ALL
    SELECT m.lsoa21_code, any_value(w.imd_decile), any_value(w.imd_rank), 'WIMD2019'
    FROM lsoa11_lsoa21 m JOIN imd_lsoa w ON w.edition = 'WIMD2019' AND w.lsoa_code = m.lsoa11_code
    WHERE m.lsoa21_code LIKE 'W%' GROUP BY m.lsoa21_code HAVING count(DISTINCT w.imd_decile) = 1
)"""

# Every count below carries key_sum, the sum of its rows' record keys (insight.uploads.cellkey perturbs from it).
STATUS_COUNTS = """
SELECT status, coalesce(scope, '') AS scope, terminated AND status = 'matched' AS terminated, count(*) AS rows,
    sum(rkey) AS key_sum
FROM byod_geo GROUP BY ALL
"""

NOT_MATCHED_ROWS = "SELECT row, status FROM byod_geo WHERE status <> 'matched' ORDER BY row"

LSOA_CELLS = """
WITH cells AS (
    SELECT lad_code, lsoa_code, count(*) AS rows, sum(weight) AS records, sum(amount) AS amount, sum(rkey) AS key_sum
    FROM byod_geo WHERE status = 'matched' GROUP BY ALL
)
SELECT c.lad_code, l.name AS lad_name, c.lsoa_code, a.name AS lsoa_name, n.imd_decile, n.imd_rank,
    n.edition AS need_edition, c.rows, c.records, c.amount, c.key_sum
FROM cells c
LEFT JOIN areas a ON a.level = 'lsoa21' AND a.code = c.lsoa_code
LEFT JOIN areas l ON l.level = 'lad24' AND l.code = c.lad_code
LEFT JOIN byod_need n ON n.lsoa_code = c.lsoa_code
ORDER BY c.lad_code, c.lsoa_code NULLS LAST
"""

LAD_CELLS = """
WITH cells AS (
    SELECT lad_code, count(*) AS rows, sum(weight) AS records, sum(amount) AS amount, sum(rkey) AS key_sum
    FROM byod_geo WHERE status = 'matched' GROUP BY ALL
), pop AS (
    SELECT p.area_code, p.population, p.vintage FROM population p LEFT JOIN vintages v ON v.vintage = p.vintage
    WHERE p.level = 'lad24' AND p.age_group = 'all'
    QUALIFY row_number() OVER (
        PARTITION BY p.area_code ORDER BY p.vintage = 'census-2021' DESC, v.reference_date DESC NULLS LAST) = 1
)
SELECT c.lad_code, l.name AS lad_name, c.rows, c.records, c.amount, c.key_sum, p.population, p.vintage AS population_vintage
FROM cells c
LEFT JOIN areas l ON l.level = 'lad24' AND l.code = c.lad_code
LEFT JOIN pop p ON p.area_code = c.lad_code
ORDER BY c.lad_code
"""

# Every LSOA in the districts the upload reaches, with its need and the upload's records (0 when none).
LOCAL_LSOAS = """
WITH cells AS (
    SELECT lsoa_code, count(*) AS rows, sum(weight) AS records, sum(rkey) AS key_sum FROM byod_geo
    WHERE status = 'matched' AND lsoa_code IS NOT NULL GROUP BY ALL
), reached AS (SELECT DISTINCT lad_code FROM byod_geo WHERE status = 'matched')
SELECT a.code AS lsoa_code, a.name AS lsoa_name, a.lad_code, l.name AS lad_name, n.imd_decile, n.imd_rank,
    n.edition AS need_edition, coalesce(c.rows, 0) AS rows, coalesce(c.records, 0) AS records,
    coalesce(c.key_sum, 0) AS key_sum
FROM areas a
JOIN reached r ON r.lad_code = a.lad_code
LEFT JOIN areas l ON l.level = 'lad24' AND l.code = a.lad_code
LEFT JOIN byod_need n ON n.lsoa_code = a.code
LEFT JOIN cells c ON c.lsoa_code = a.code
WHERE a.level = 'lsoa21'
ORDER BY a.code
"""

NATIONAL_DECILES = """
SELECT imd_decile, count(*) AS lsoas FROM byod_need WHERE imd_decile IS NOT NULL GROUP BY ALL ORDER BY imd_decile
"""
