"""The rules language, one module per section of the catalog. Each module compiles its catalogs in
module fixtures, on first use: a catalog that does not compile fails its own tests, not collection."""
