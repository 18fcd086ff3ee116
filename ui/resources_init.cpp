// Qt resources compiled into a static library are only linked in when something calls
// their initialiser; Q_INIT_RESOURCE must be used outside any namespace.
#include <QtGlobal>

void harmoniaUiInitResources() { Q_INIT_RESOURCE(harmonia); }
