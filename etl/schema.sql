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

-- Residents by area; vintage says which estimate (e.g. 'mid-2015', 'mid-2020', 'census-2021').
CREATE TABLE population (
    area_code VARCHAR NOT NULL, level VARCHAR NOT NULL, vintage VARCHAR NOT NULL,
    age_group VARCHAR NOT NULL, population DOUBLE NOT NULL, source_id VARCHAR NOT NULL,
    PRIMARY KEY (area_code, level, vintage, age_group)
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
