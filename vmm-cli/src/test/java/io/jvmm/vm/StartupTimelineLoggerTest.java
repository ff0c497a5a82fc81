package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StartupTimelineLoggerTest {
    /**
     * main marks the timeline before --log-level is applied; slf4j-simple fixes its level when the
     * first logger is made, so the class must not make one when it loads (it did, and
     * --log-level debug printed nothing).
     */
    @Test
    void loadingTheTimelineMakesNoLogger() {
        assertThat(Arrays.stream(StartupTimeline.class.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()))
                .map(Field::getType)).doesNotContain(org.slf4j.Logger.class);
    }
}
