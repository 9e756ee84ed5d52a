-- The public schema of data/vcs_insight.duckdb. Documented column by column in docs/schema.md.
-- Sources insert BY NAME into these tables; derived measures are added after all loads.

CREATE TABLE provenance (
    source_id VARCHAR NOT NULL, title VARCHAR NOT NULL, publisher VARCHAR NOT NULL,
    url VARCHAR NOT NULL, licence VARCHAR NOT NULL, vintage VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL, distribution VARCHAR NOT NULL, official BOOLEAN NOT NULL
);

-- Sources that were looked for but are not in this build (mirror without them): the app says so.
CREATE TABLE missing_layers (
    source_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, publisher VARCHAR NOT NULL,
    url VARCHAR NOT NULL, reason VARCHAR NOT NULL
);

-- Files listed by a source's index (the 360Giving registry) that this build could not use, one line each.
CREATE TABLE skipped_files (
    source_id VARCHAR NOT NULL, url VARCHAR NOT NULL, file_name VARCHAR NOT NULL, reason VARCHAR NOT NULL
);

-- Every area at every level, with its parents (NULL where a parent does not apply).
-- level: lsoa21, lsoa11, msoa21, ward24, lad24, lad21, lad19, utla24, sicbl24, icb24, region, country
CREATE TABLE areas (
    code VARCHAR NOT NULL, name VARCHAR, level VARCHAR NOT NULL,
    ward_code VARCHAR, lad_code VARCHAR, utla_code VARCHAR, sicbl_code VARCHAR, icb_code VARCHAR,
    region_code VARCHAR, country_code VARCHAR,
    PRIMARY KEY (level, code)
);

CREATE TABLE lsoa11_lsoa21 (
    lsoa11_code VARCHAR NOT NULL, lsoa21_code VARCHAR NOT NULL, change_indicator VARCHAR, lad22_code VARCHAR
);

-- Older LAD codes to the current (2024) LAD; merged districts map many-to-one.
CREATE TABLE lad_successor (
    lad_code VARCHAR NOT NULL, lad_vintage VARCHAR NOT NULL, lad24_code VARCHAR NOT NULL
);

CREATE TABLE rural_urban (
    lsoa21_code VARCHAR PRIMARY KEY, ruc21_code VARCHAR, classification VARCHAR, ruc VARCHAR
);

-- One row per edition x LSOA. Domains: income, employment, education, health, crime,
-- housing (barriers to housing and services / WIMD housing), environment (living / physical
-- environment), access (WIMD access to services only), idaci, idaopi (England supplements).
CREATE TABLE imd_lsoa (
    edition VARCHAR NOT NULL, country VARCHAR NOT NULL, lsoa_code VARCHAR NOT NULL, lsoa_name VARCHAR,
    lad_code VARCHAR, lad_name VARCHAR,
    imd_score DOUBLE, imd_rank INTEGER, imd_decile INTEGER,
    income_score DOUBLE, income_rank INTEGER, income_decile INTEGER,
    employment_score DOUBLE, employment_rank INTEGER, employment_decile INTEGER,
    education_score DOUBLE, education_rank INTEGER, education_decile INTEGER,
    health_score DOUBLE, health_rank INTEGER, health_decile INTEGER,
    crime_score DOUBLE, crime_rank INTEGER, crime_decile INTEGER,
    housing_score DOUBLE, housing_rank INTEGER, housing_decile INTEGER,
    environment_score DOUBLE, environment_rank INTEGER, environment_decile INTEGER,
    access_score DOUBLE, access_rank INTEGER, access_decile INTEGER,
    idaci_score DOUBLE, idaci_rank INTEGER, idaci_decile INTEGER,
    idaopi_score DOUBLE, idaopi_rank INTEGER, idaopi_decile INTEGER,
    PRIMARY KEY (edition, lsoa_code)
);

-- Published LAD / ICB summaries, tidy: one row per edition x area x domain x measure.
CREATE TABLE imd_lad (
    edition VARCHAR NOT NULL, lad_code VARCHAR NOT NULL, lad_name VARCHAR,
    domain VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    PRIMARY KEY (edition, lad_code, domain, measure)
);
CREATE TABLE imd_icb (
    edition VARCHAR NOT NULL, icb_code VARCHAR NOT NULL, icb_name VARCHAR,
    domain VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    PRIMARY KEY (edition, icb_code, domain, measure)
);

-- Each LSOA 2021's district under the two rules (docs/metrics.md, "Which district an LSOA is in"): IoD measures use
-- the district the IoD2025 file assigns (iod_lad_code; the ONS district where the IoD gives none, e.g. Wales);
-- geography-only uses the ONS best-fit lookup (ons_lad_code). They differ for E01027305 (IoD: West
-- Northamptonshire E06000062; ONS: Cherwell E07000177).
CREATE VIEW lsoa_districts AS
SELECT a.code AS lsoa21_code, a.lad_code AS ons_lad_code, coalesce(i.lad_code, a.lad_code) AS iod_lad_code
FROM areas a LEFT JOIN imd_lsoa i ON i.edition = 'IoD2025' AND i.lsoa_code = a.code
WHERE a.level = 'lsoa21';

-- Residents by area; vintage says which estimate (e.g. 'mid-2015', 'mid-2020', 'census-2021').
CREATE TABLE population (
    area_code VARCHAR NOT NULL, level VARCHAR NOT NULL, vintage VARCHAR NOT NULL,
    age_group VARCHAR NOT NULL, population DOUBLE NOT NULL, source_id VARCHAR NOT NULL,
    PRIMARY KEY (area_code, level, vintage, age_group)
);

-- Population vintages with the date each refers to (etl/vintages.py): order vintages by reference_date, never by
-- label ('mid-2020' sorts after 'census-2021' as text but refers to an earlier date).
CREATE TABLE vintages (
    vintage VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, reference_date DATE NOT NULL, label VARCHAR NOT NULL
);

-- Simplified web geometry, WGS84, GeoJSON geometry text keyed by GSS code.
CREATE TABLE boundaries (
    code VARCHAR NOT NULL, level VARCHAR NOT NULL, name VARCHAR, geojson VARCHAR NOT NULL,
    tolerance_deg DOUBLE NOT NULL, vertices INTEGER NOT NULL, area_ratio DOUBLE,
    PRIMARY KEY (level, code)
);

-- Every computed or published measure for an area, long form; the app reads measures from here.
CREATE TABLE area_measures (
    level VARCHAR NOT NULL, area_code VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    source_id VARCHAR NOT NULL, vintage VARCHAR NOT NULL, denominator_vintage VARCHAR,
    PRIMARY KEY (level, area_code, measure)
);

-- What each measure in area_measures means.
CREATE TABLE measure_catalog (
    measure VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, layer VARCHAR NOT NULL,
    unit VARCHAR NOT NULL, polarity VARCHAR NOT NULL, definition VARCHAR NOT NULL
);

-- ===== VCS capacity, dependence, funding and health (issue 3) =====

-- ONS postcode lookup (NSPL). postcode: uppercase, one space before the inward code ('SW1A 1AA');
-- terminated postcodes are kept (terminated = TRUE). lsoa21_code NULL where the LSOA 2011 was split.
CREATE TABLE postcodes (
    postcode VARCHAR PRIMARY KEY, pcd_compact VARCHAR NOT NULL, lsoa11_code VARCHAR, lsoa21_code VARCHAR,
    lad_code VARCHAR, lad24_code VARCHAR, country_code VARCHAR, terminated BOOLEAN NOT NULL,
    nspl_vintage VARCHAR NOT NULL
);

-- Charity Commission register: main charities (linked_charity_number = 0), removed ones kept with status.
CREATE TABLE charities (
    charity_number BIGINT PRIMARY KEY, organisation_number BIGINT, name VARCHAR, status VARCHAR,
    registered_date DATE, removed_date DATE, insolvent BOOLEAN, in_administration BOOLEAN,
    postcode VARCHAR, postcode_normalised VARCHAR, lsoa11_code VARCHAR, lsoa21_code VARCHAR, lad24_code VARCHAR,
    latest_income DOUBLE, latest_expenditure DOUBLE, income_band VARCHAR, reach VARCHAR,
    receives_govt_contracts BOOLEAN, receives_govt_grants BOOLEAN,
    income_govt_contracts DOUBLE, income_govt_grants DOUBLE, total_income_parta DOUBLE,
    parta_fin_period_end DATE, extract_date DATE
);
CREATE TABLE charity_area_of_operation (
    charity_number BIGINT NOT NULL, geographic_area_type VARCHAR, description VARCHAR,
    welsh_ind BOOLEAN, gss_code VARCHAR, utla24_code VARCHAR
);
CREATE TABLE charity_classification (
    charity_number BIGINT NOT NULL, classification_code VARCHAR, classification_type VARCHAR, description VARCHAR
);
CREATE TABLE charity_annual_returns (
    charity_number BIGINT NOT NULL, fin_period_end_date DATE, total_gross_income DOUBLE,
    total_gross_expenditure DOUBLE
);
CREATE TABLE charity_partb (
    charity_number BIGINT NOT NULL, fin_period_end_date DATE, income_total DOUBLE,
    income_charitable_activities DOUBLE, expenditure_total DOUBLE, count_employees DOUBLE
);
-- Registered-office postcodes that did not geocode: counted and listed, never dropped.
CREATE TABLE charity_geocode_unmatched (postcode VARCHAR, charities BIGINT NOT NULL, reason VARCHAR NOT NULL);
-- Register quality figures (e.g. geocode_match_rate), one row per metric.
CREATE TABLE register_quality (metric VARCHAR PRIMARY KEY, value DOUBLE, note VARCHAR);
-- The Commission's area-of-operation names → GSS (drkane/charity-lookups, ODbL), corrected and validated.
CREATE TABLE cc_aoo_lookup (
    geographic_area_type VARCHAR NOT NULL, description VARCHAR NOT NULL, gss_code VARCHAR,
    utla24_code VARCHAR, correction VARCHAR
);

-- NCVO UK Civil Society Almanac 2020, sheet A5 "General charities" (data year 2017/18), by LAD 2019.
CREATE TABLE ncvo_charities_lad (lad19_code VARCHAR PRIMARY KEY, charities INTEGER NOT NULL, vintage VARCHAR NOT NULL);

-- Grants by funder x award year x recipient district (and ward where known; online also x recipient postcode).
CREATE TABLE grants (
    funder VARCHAR NOT NULL, award_year INTEGER NOT NULL, lad_code VARCHAR, ward_code VARCHAR,
    amount DOUBLE NOT NULL, grants INTEGER NOT NULL, source_distribution VARCHAR NOT NULL, lad24_code VARCHAR,
    postcode VARCHAR, lsoa21_code VARCHAR, charity_number VARCHAR
);

-- ONS Health Index for England by LTLA 2021 (England 2015 = 100) and its underlying indicator values.
CREATE TABLE health_index_lad (
    ltla21_code VARCHAR NOT NULL, year INTEGER NOT NULL, overall_score DOUBLE,
    healthy_people_score DOUBLE, healthy_lives_score DOUBLE, healthy_places_score DOUBLE,
    PRIMARY KEY (ltla21_code, year)
);
CREATE TABLE health_indicators_lad (
    ltla21_code VARCHAR NOT NULL, year INTEGER NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE,
    PRIMARY KEY (ltla21_code, year, indicator)
);
-- OHID Fingertips indicator values (online only).
CREATE TABLE fingertips_values (
    indicator_id INTEGER NOT NULL, indicator VARCHAR, area_code VARCHAR NOT NULL, area_type VARCHAR,
    sex VARCHAR, age VARCHAR, time_period VARCHAR NOT NULL, value DOUBLE
);

-- Published summaries against their reproduction from the loaded detail rows (etl/reconcile.py), one row per area
-- and check; the build fails when a reproduction drifts beyond its tolerance.
CREATE TABLE reconciliation (
    check_id VARCHAR NOT NULL, description VARCHAR NOT NULL, source_id VARCHAR NOT NULL, level VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL, area_name VARCHAR, published DOUBLE, reproduced DOUBLE, difference DOUBLE,
    tolerance DOUBLE NOT NULL, within BOOLEAN NOT NULL, PRIMARY KEY (check_id, area_code)
);

-- Charities per 1,000 residents by IMD decile of LADs (decile 1 = most deprived), NCVO counts pooled:
-- sum of charities / sum of residents (the NCVO denominator vintage) per decile.
CREATE VIEW capacity_by_need_decile AS
SELECT CAST(d.value AS INTEGER) AS imd_decile, count(*) AS areas, sum(c.value) AS charities,
       sum(p.population) AS population, 1000 * sum(c.value) / sum(p.population) AS charities_per_1000
FROM area_measures d
JOIN area_measures c ON c.level = 'lad24' AND c.area_code = d.area_code AND c.measure = 'ncvo_charities'
JOIN area_measures r ON r.level = 'lad24' AND r.area_code = d.area_code AND r.measure = 'ncvo_charities_per_1000'
JOIN population p ON p.level = 'lad24' AND p.area_code = d.area_code AND p.vintage = r.denominator_vintage
     AND p.age_group = 'all'
WHERE d.level = 'lad24' AND d.measure = 'imd_lad_decile' AND d.value IS NOT NULL
GROUP BY 1;
