package io.jvmm.cli;

import io.jvmm.config.ConfigException;
import io.jvmm.plugin.PluginException;
import io.jvmm.vm.HostUnsupportedException;
import io.jvmm.vm.VmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception from a command into a short message on stderr and an exit code
 * ({@link ExitCodes}). Config errors print as they are (one {@code file:line: ...} line
 * each); stack traces only with {@code --log-level debug}.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        boolean debug = logLevel(parseResult).showsStackTraces();
        if (e instanceof ConfigException) {
            err.println(e.getMessage());
        } else if (e instanceof HostUnsupportedException) {
            err.println("jvmm: this host cannot run VMs: " + e.getMessage());
        } else if (e instanceof io.jvmm.snapshot.SnapshotException) {
            err.println("jvmm: cannot restore: " + e.getMessage());
        } else if (e instanceof VmException || e instanceof PluginException || e instanceof UsageException) {
            err.println("jvmm: " + e.getMessage());
        } else {
            err.println("jvmm: internal error: " + e + (debug ? "" : " (--log-level debug shows the stack trace)"));
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.forException(e);
    }

    /** The --log-level given to whichever (sub)command ran. */
    private static LogLevel logLevel(ParseResult parseResult) {
        LogLevel level = LogLevel.WARN;
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--log-level")) {
                level = pr.matchedOptionValue("--log-level", level);
            }
        }
        return level;
    }
}
