// Debian's libopenblas-dev (pkg-config "openblas"): only the CBLAS interface is used.
#include <cblas.h>
