"""Maps: choropleths, decile classes, the national LSOA raster map and the boundary files it serves."""
