package sut

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

// instructionsYAML holds the manual adapter's texts: see the file's header.
//
//go:embed instructions.yaml
var instructionsYAML []byte

// ManualLanguages returns the languages of the manual adapter's
// instructions: Finnish, Swedish and English.
func ManualLanguages() []string { return []string{"fi", "sv", "en"} }

// instructionFile is the shape of instructions.yaml.
type instructionFile struct {
	// Terms translate protocol words: word → language → text.
	Terms map[string]map[string]string `yaml:"terms"`
	// Messages are the adapter's own lines: name → language → template.
	Messages map[string]map[string]string `yaml:"messages"`
	// Actions are the instructions: action → language → template.
	Actions map[Action]map[string]string `yaml:"actions"`
}

// messageNames returns the names of the messages the manual adapter prints.
func messageNames() []string {
	return []string{"heading", "hint", "arrived", "recorded", "not-understood", "ignored", "input-closed"}
}

// instructions are the parsed templates, one set per language; templates
// are named "action/NAME" and "message/NAME".
type instructions struct {
	byLang map[string]*template.Template
}

// loadInstructions parses the embedded instructions and checks that every
// action of protocol version 1 and every message has a text in every
// language.
func loadInstructions() (*instructions, error) {
	var f instructionFile
	if err := yaml.Unmarshal(instructionsYAML, &f); err != nil {
		return nil, fmt.Errorf("read instructions.yaml: %w", err)
	}
	ins := &instructions{byLang: map[string]*template.Template{}}
	for _, lang := range ManualLanguages() {
		funcs := template.FuncMap{
			"term": func(word string) string {
				if t := f.Terms[word][lang]; t != "" {
					return t
				}
				return word
			},
			"join": strings.Join,
		}
		set := template.New(lang).Funcs(funcs).Option("missingkey=error")
		add := func(name, text string) error {
			if strings.TrimSpace(text) == "" {
				return fmt.Errorf("instructions.yaml: %s has no %s text", name, lang)
			}
			if _, err := set.New(name).Parse(text); err != nil {
				return fmt.Errorf("instructions.yaml: %s (%s): %w", name, lang, err)
			}
			return nil
		}
		for _, a := range Actions() {
			if err := add("action/"+string(a), f.Actions[a][lang]); err != nil {
				return nil, err
			}
		}
		for _, m := range messageNames() {
			if err := add("message/"+m, f.Messages[m][lang]); err != nil {
				return nil, err
			}
		}
		ins.byLang[lang] = set
	}
	return ins, nil
}

// render executes the template name ("action/open-case", "message/hint")
// of lang with data.
func (ins *instructions) render(lang, name string, data any) (string, error) {
	set, ok := ins.byLang[lang]
	if !ok {
		return "", fmt.Errorf("no instructions in language %q (want one of %s)", lang, strings.Join(ManualLanguages(), ", "))
	}
	var b strings.Builder
	if err := set.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s (%s): %w", name, lang, err)
	}
	return strings.TrimSpace(b.String()), nil
}
