#pragma once

#include "core/clusterprofile.h"

#include <QAbstractButton>

namespace veltrix {

// A button that changes a cluster: enabled only when `ready` and the profile allows changes.
// On a read-only profile it stays greyed, and its tooltip says why (the core refuses too).
inline void enableMutation(QAbstractButton *button, const ClusterProfile &profile, bool ready,
                           const QString &readyTip = {})
{
    button->setEnabled(ready && !profile.readOnly);
    button->setToolTip(profile.readOnly
                           ? QStringLiteral("Profile “%1” is read-only: %2 changes the cluster, "
                                            "so it is off. Previews still work.")
                                 .arg(profile.name, button->text().remove(u'…').remove(u'&'))
                           : readyTip);
}

} // namespace veltrix
