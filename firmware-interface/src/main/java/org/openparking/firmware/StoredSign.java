package org.openparking.firmware;

import java.util.Objects;

/** A sign that only remembers what it shows: the simulated sign, and the sign of a level wired without one. */
final class StoredSign implements LevelSign {
    private volatile SignContent showing = new SignContent.Blank();

    @Override
    public void show(SignContent content) {
        showing = Objects.requireNonNull(content, "content");
    }

    @Override
    public SignContent showing() {
        return showing;
    }
}
