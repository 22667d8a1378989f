// Generate_data writes realistic clevity test data: clients.csv, intervenants.csv,
// projets.csv and affectations.csv as the contract describes them, clean by default,
// with realistic defects on request, and defects.csv, the list of every defect injected
// (file, line, id, column, code, and whether the row must be accepted, rejected or
// ignored), which tests use as ground truth.
//
// Usage:
//
//	generate_data [-seed N] [-out DIR] [-clients N] [-intervenants N] [-projets N]
//	              [-affectations N] [-defects RATE] [-corrupt N] [-agencies] [-today DATE]
//
// The same seed and flags give byte-identical files on any machine; -today fixes the
// date the data is generated around (default: the real date), so pass it to reproduce
// files on another day. -agencies writes each file in the dialect of another agency
// (';' and Windows-1252 with CRLF, UTF-8 with BOM, French decimals and dates), as the
// production files arrive. -corrupt N also writes projets_corrompus.csv, N project rows
// as they arrive after an incident, and its manifest projets_corrompus_manifest.csv.
//
// Example:
//
//	generate_data -seed 42 -out sample -defects 0.04
//	generate_data -seed 1 -today 2026-11-15 -clients 800 -intervenants 150 -projets 3000 \
//	    -affectations 12000 -defects 0.04 -corrupt 200 -agencies -out data_1
//
// Exit status: 0 written, 2 could not write (bad flag, unwritable folder).
package main
