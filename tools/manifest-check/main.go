// Command manifest-check decodes Kubernetes manifests strictly into the Kubernetes API types, the way the
// API server does with strict field validation, and fails on unknown, misspelled or duplicate fields,
// values of the wrong type and unknown kinds, naming the file, the document and the problem.
//
//	manifest-check PATH...
//
// A PATH is a file, or a folder searched for *.yaml and *.yml files.
//
// What is not a manifest is skipped by one rule: a YAML document is a manifest when it has both
// apiVersion and kind at its top level. Helm values, Prometheus rules and stack.yml have neither, so
// they are skipped (and listed as skipped). A document with two of apiVersion, kind, metadata and spec
// but not both of the first two is a manifest misspelled, and fails. Only the kinds built into Kubernetes are known: a custom
// resource (a cert-manager Certificate, a PrometheusRule) fails as an unknown kind.
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

var strict = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
	json.SerializerOptions{Yaml: true, Strict: true})

type document struct {
	index int // 1-based, counted as kubectl splits a file
	line  int // where the document starts in its file
	text  []byte
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: manifest-check PATH... (files, or folders holding *.yaml and *.yml)")
		os.Exit(2)
	}
	var problems, skipped []string
	manifests, files := 0, 0
	for _, root := range os.Args[1:] {
		paths, err := yamlFiles(root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "manifest-check:", err)
			os.Exit(2)
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "manifest-check:", err)
				os.Exit(2)
			}
			found := 0
			for _, doc := range splitDocuments(data) {
				isManifest, label, docProblems := check(doc)
				if isManifest {
					found++
				}
				for _, problem := range docProblems {
					problems = append(problems, fmt.Sprintf("%s:%d: document %d%s: %s", path, doc.line, doc.index, label, problem))
				}
			}
			if found == 0 {
				skipped = append(skipped, path)
			} else {
				manifests += found
				files++
			}
		}
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "manifest-check: %d problem(s)\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("manifest-check: %d manifests in %d files decode strictly\n", manifests, files)
	if len(skipped) > 0 {
		fmt.Printf("skipped, no document with apiVersion and kind: %s\n", strings.Join(skipped, ", "))
	}
}

// yamlFiles is root itself when it is a file (whatever its name), or the YAML files under it.
func yamlFiles(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var paths []string
	err = filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err == nil && !entry.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			paths = append(paths, path)
		}
		return err
	})
	return paths, err
}

// splitDocuments splits a file at its "---" lines as kubectl does (k8s.io/apimachinery/pkg/util/yaml),
// keeping where each document starts so that problems can point at a line.
func splitDocuments(data []byte) []document {
	var docs []document
	var current bytes.Buffer
	start := 1
	flush := func(next int) {
		if len(bytes.TrimSpace(current.Bytes())) > 0 {
			docs = append(docs, document{index: len(docs) + 1, line: start, text: bytes.Clone(current.Bytes())})
		}
		current.Reset()
		start = next
	}
	for number, line := range bytes.SplitAfter(data, []byte("\n")) {
		switch trimmed := bytes.TrimSpace(line); {
		case bytes.HasPrefix(line, []byte("---")) && (len(trimmed) == 3 || trimmed[3] == ' ' || trimmed[3] == '#' || trimmed[3] == '\t'):
			flush(number + 2)
		case current.Len() == 0 && (len(trimmed) == 0 || trimmed[0] == '#'):
			// a document starts at its first line of YAML, not at the comments above it
			start = number + 2
		default:
			current.Write(line)
		}
	}
	flush(0)
	return docs
}

// check decodes one document strictly when it is a manifest. label names it (" (StatefulSet mongodb)").
func check(doc document) (isManifest bool, label string, problems []string) {
	// Blank lines in front make the line numbers in YAML errors those of the file.
	text := append(bytes.Repeat([]byte("\n"), doc.line-1), doc.text...)
	var top any
	if err := yaml.Unmarshal(text, &top); err != nil {
		return false, "", []string{"not valid YAML: " + oneLine(err)}
	}
	fields, _ := top.(map[string]any)
	apiVersion, _ := fields["apiVersion"].(string)
	kind, _ := fields["kind"].(string)
	if apiVersion == "" || kind == "" {
		// a manifest whose apiVersion or kind is misspelled must not pass as no manifest at all; a lone kind
		// is common in Helm values, so it takes two of a manifest's top-level fields to look like one
		found := 0
		for _, key := range []string{"apiVersion", "kind", "metadata", "spec"} {
			if _, ok := fields[key]; ok {
				found++
			}
		}
		if found >= 2 {
			return true, "", []string{"this looks like a manifest but lacks apiVersion or kind (misspelled?)"}
		}
		return false, "", nil
	}
	label = " (" + kind
	if metadata, ok := fields["metadata"].(map[string]any); ok {
		if name, ok := metadata["name"].(string); ok {
			label += " " + name
		}
	}
	label += ")"

	_, _, err := strict.Decode(text, nil, nil)
	switch strictErr, isStrict := runtime.AsStrictDecodingError(err); {
	case err == nil:
		return true, label, nil
	case isStrict:
		for _, each := range strictErr.Errors() {
			problems = append(problems, oneLine(each))
		}
		return true, label, problems
	case runtime.IsNotRegisteredError(err):
		return true, label, []string{fmt.Sprintf("unknown kind %q in apiVersion %q (only the kinds built into Kubernetes are known)", kind, apiVersion)}
	default:
		return true, label, []string{oneLine(err)}
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
