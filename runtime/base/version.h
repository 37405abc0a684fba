/* attend's version, and where its documentation is published (SARIF's
 * informationUri and each rule's helpUri point into it). */
#ifndef BASE_VERSION_H
#define BASE_VERSION_H

#define BASE_VERSION "0.1.0"

/* `make install` installs docs/ here; build with
 * make BASE_DOCS_URL=https://example.org/attend/docs/ for a published copy. */
#ifndef BASE_DOCS_URL
#define BASE_DOCS_URL "file:///usr/local/share/doc/attend/"
#endif

#endif
