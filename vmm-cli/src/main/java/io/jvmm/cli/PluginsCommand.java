package io.jvmm.cli;

import io.jvmm.plugin.PluginInfo;
import io.jvmm.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jvmm plugins}: the device types available, as a table. */
@Command(name = "plugins",
        mixinStandardHelpOptions = true,
        header = "List the device plugins and the types they handle.",
        description = {
            "Lists the device plugins found: the built-in ones and the jars in --plugin-dir and "
                    + "$JVMM_PLUGIN_PATH. TYPE is what a [[device]] table's 'type' names. Plugins that "
                    + "failed to load are listed after the table with the reason.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm plugins",
            "  jvmm plugins --plugin-dir examples/debugcon-plugin/target",
        })
final class PluginsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PluginRegistry plugins = common.loadPlugins();
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TYPE", "SPI", "DESCRIPTION", "JAR"});
        for (PluginInfo p : plugins.all()) {
            rows.add(new String[] {p.type(), String.valueOf(p.spiVersion()), p.description(), p.jarLocation()});
        }
        if (rows.size() == 1) {
            out.println("no device plugins found");
        } else {
            printTable(out, rows);
        }
        if (!plugins.skipped().isEmpty()) {
            out.println();
            out.println("Skipped (not usable):");
            plugins.skipped().forEach(s -> out.println("  " + s));
        }
        return ExitCodes.OK;
    }

    private static void printTable(PrintWriter out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c < columns - 1 ? String.format("%-" + (widths[c] + 2) + "s", row[c]) : row[c]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
