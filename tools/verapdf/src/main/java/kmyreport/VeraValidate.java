package kmyreport;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

/**
 * kmyreport's veraPDF check (greenfield parser).
 *
 * <pre>java -jar kmyreport-verapdf.jar --flavour 3a,ua1 a.pdf b.pdf [--flavour 2b c.pdf ...]</pre>
 *
 * Each file is checked against the flavours of the last --flavour before it, so files
 * that need different flavours are checked in one run (one JVM start).
 * Prints one JSON object per (file, flavour) on stdout. Exit status: 0 when every
 * check is compliant, 1 when some check is not, 2 on a usage or parse error.
 * "auto" stands for the flavour(s) the file itself declares in its metadata (1b if none).
 *
 * <pre>java -jar kmyreport-verapdf.jar --serve</pre>
 *
 * keeps one JVM (and its compiled code) for many requests: each line on stdin holds the
 * arguments above separated by tabs; the results follow on stdout, then a line
 * {"done": true, "status": N}. A file that cannot be read gives {"file": …, "error": …}.
 */
public final class VeraValidate {
    private static final int MAX_FAILURES = 50;

    public static void main(String[] args) throws IOException {
        // Keep stdout for our JSON only (UTF-8 whatever the locale); any library chatter goes to stderr.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        boolean serving = args.length == 1 && args[0].equals("--serve");
        if (!serving && (args.length < 3 || !args[0].equals("--flavour"))) {
            System.err.println("usage: kmyreport-verapdf --flavour <f>[,<f>...] file.pdf... [--flavour ... file.pdf...]\n"
                    + "       kmyreport-verapdf --serve   (requests on stdin, one per line, arguments tab-separated)\n"
                    + "  f: 1a 1b 2a 2b 2u 3a 3b 3u 4 4e 4f ua1 ua2 auto");
            System.exit(2);
        }
        VeraGreenfieldFoundryProvider.initialise();
        VeraPDFFoundry foundry = Foundries.defaultInstance();
        if (!serving) {
            int status = check(args, foundry, out, false);
            out.flush();
            System.exit(status);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            int status = check(line.split("\t"), foundry, out, true);
            out.println("{\"done\": true, \"status\": " + status + "}");
            out.flush();
        }
    }

    /** Check the files of one request; returns 0 (all compliant), 1 (some not) or 2 (an error). */
    private static int check(String[] args, VeraPDFFoundry foundry, PrintStream out, boolean serving) {
        int status = 0;
        Set<PDFAFlavour> wanted = new LinkedHashSet<>();
        boolean auto = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--flavour")) {
                if (i + 1 >= args.length) {
                    System.err.println("kmyreport-verapdf: --flavour needs a value");
                    return 2;
                }
                wanted = new LinkedHashSet<>();
                auto = false;
                for (String id : args[++i].split(",")) {
                    id = id.trim().toLowerCase(Locale.ROOT);
                    PDFAFlavour flavour = PDFAFlavour.byFlavourId(id);
                    if (id.equals("auto")) {
                        auto = true;
                    } else if (flavour == PDFAFlavour.NO_FLAVOUR) {
                        System.err.println("kmyreport-verapdf: unknown flavour '" + id + "'");
                        if (serving) out.println("{\"file\": \"\", \"error\": " + str("unknown flavour '" + id + "'") + "}");
                        return 2;
                    } else {
                        wanted.add(flavour);
                    }
                }
                continue;
            }
            File file = new File(args[i]);
            try {
                Set<PDFAFlavour> flavours = new LinkedHashSet<>(wanted);
                if (auto) {
                    try (PDFAParser parser = foundry.createParser(file)) {
                        List<PDFAFlavour> declared = parser.getFlavours().stream()
                                .filter(f -> f != PDFAFlavour.NO_FLAVOUR).collect(Collectors.toList());
                        // Like veraPDF's own CLI: a file declaring nothing is held to the default (1b).
                        flavours.addAll(declared.isEmpty() ? List.of(foundry.defaultFlavour()) : declared);
                    }
                }
                for (PDFAFlavour flavour : flavours) {
                    try (PDFAParser parser = foundry.createParser(file, flavour)) {
                        ValidationResult result = foundry.createValidator(flavour, false).validate(parser);
                        out.println(toJson(args[i], flavour, result));
                        if (!result.isCompliant()) status = Math.max(status, 1);
                    }
                }
            } catch (Exception e) {
                System.err.println("kmyreport-verapdf: " + args[i] + ": " + e);
                if (serving) out.println("{\"file\": " + str(args[i]) + ", \"error\": " + str(e.toString()) + "}");
                status = 2;
            }
        }
        return status;
    }

    /** One result line; failures are grouped by rule, sorted by clause/test, capped at MAX_FAILURES. */
    private static String toJson(String file, PDFAFlavour flavour, ValidationResult result) {
        Map<RuleId, Integer> failed = result.getFailedChecks();
        List<RuleId> ids = new ArrayList<>(failed.keySet());
        ids.sort(Comparator.comparing(RuleId::getClause).thenComparingInt(RuleId::getTestNumber));
        String failures = ids.stream().limit(MAX_FAILURES).map(id -> {
            Rule rule = result.getValidationProfile().getRuleByRuleId(id);
            return "{\"clause\": " + str(id.getClause()) + ", \"test\": " + id.getTestNumber()
                    + ", \"description\": " + str(rule == null ? "" : rule.getDescription())
                    + ", \"count\": " + failed.get(id) + "}";
        }).collect(Collectors.joining(", "));
        return "{\"file\": " + str(file) + ", \"flavour\": " + str(flavour.getId())
                + ", \"compliant\": " + result.isCompliant() + ", \"failed_rules\": " + ids.size()
                + ", \"failures\": [" + failures + "]}";
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
