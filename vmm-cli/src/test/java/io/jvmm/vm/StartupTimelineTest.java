package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupTimelineTest {
    @Test
    void eachStepShowsItsTimeSinceTheJvmStartedAndSinceTheStepBefore() {
        long start = 1_000_000_000L;
        String line = StartupTimeline.render(start, List.of(
                new StartupTimeline.Mark("main", start + 180_000_000L),
                new StartupTimeline.Mark("config", start + 231_500_000L),
                new StartupTimeline.Mark("first KVM_RUN", start + 400_000_000L)));
        assertThat(line).isEqualTo("start-up (ms since the JVM started, +ms since the step before): main 180 (+180), "
                + "config 231 (+51), first KVM_RUN 400 (+168)");
    }
}
