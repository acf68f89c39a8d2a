package org.openparking.firmware;

/** The LED count sign at the level's entrance. */
public interface LevelSign {
    void show(SignContent content);

    /** What the sign shows now (what was last written to it). */
    SignContent showing();
}
