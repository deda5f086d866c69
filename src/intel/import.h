/* SPDX-License-Identifier: Apache-2.0 */
/* Format detection for intel files (the import driver itself is ruru_intel_import). */
#ifndef RURU_INTEL_IMPORT_H
#define RURU_INTEL_IMPORT_H

#include <stddef.h>

/* The importer format names: "stix", "misp", "galaxy", "taxonomy", "warninglist", "csv",
 * "zeek", "chirp", "assessment" (a CERT's actor assessments); NULL when `data` is none of them
 * (binary, empty). `path` helps only where content cannot tell (a MISP feed's manifest.json). */
const char *ruru_intel_detect(const char *path, const char *data, size_t len);

#endif
