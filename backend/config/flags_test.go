package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func TestRegisterFlagsHelp(t *testing.T) {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	RegisterFlags(fs)
	help := fs.FlagUsages()
	for _, s := range settings {
		if !strings.Contains(help, "--"+s.flag()) || !strings.Contains(help, "env "+s.env()+";") {
			t.Errorf("help lacks --%s with %s:\n%s", s.flag(), s.env(), help)
		}
	}
	for _, want := range []string{"--listen host:port", "--config file", "env HEARTH_CONFIG", "--dev "} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

// TestCobra shows the intended use from `hearth serve`.
func TestCobra(t *testing.T) {
	var got *Config
	cmd := &cobra.Command{
		Use: "serve",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := FromFlags(cmd.Flags(), baseEnv)
			got = c
			return err
		},
	}
	RegisterFlags(cmd.Flags())
	cmd.SetArgs([]string{"--listen", "127.0.0.1:9999", "--dev"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Listen != "127.0.0.1:9999" || !got.Dev || got.PublicURL.String() != "http://127.0.0.1:9999" {
		t.Errorf("cobra flags not applied:\n%s", got.Redacted())
	}

	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "HEARTH_PUBLIC_URL") {
		t.Errorf("serve --help does not list env names:\n%s", out.String())
	}
}

func TestHelpFromLoad(t *testing.T) {
	_, _, err := Load([]string{"--help"}, baseEnv)
	if !errors.Is(err, pflag.ErrHelp) {
		t.Errorf("Load(--help) = %v, want pflag.ErrHelp", err)
	}
}
