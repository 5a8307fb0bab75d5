package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hearthpds/hearth/backend/plugin"
)

// pluginClient calls a running server's dev.hearthpds.plugin.* admin
// methods. The plugin commands talk to the server rather than editing its
// data directory: the running host holds the plugins, their state and
// their kv (in the database), and a change applies at once, atomically.
type pluginClient struct {
	base, password string
	hc             *http.Client
}

// call sends one method; in nil makes it a query with params.
func (c *pluginClient) call(nsid string, params url.Values, in any) (map[string]any, error) {
	u := strings.TrimSuffix(c.base, "/") + "/xrpc/dev.hearthpds.plugin." + nsid
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	method, body := http.MethodGet, io.Reader(nil)
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		method, body = http.MethodPost, bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", nsid, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth("admin", c.password)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: is the server running at %s? %w", nsid, c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", nsid, err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("plugin %s: answer %d is not JSON: %.200q", nsid, resp.StatusCode, raw)
		}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("plugin %s: %v: %v", nsid, out["error"], out["message"])
	}
	return out, nil
}

func newPluginCmd(e *env) *cobra.Command {
	c := &pluginClient{hc: &http.Client{Timeout: 2 * time.Minute}}
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Install, enable, disable, reload, uninstall, list and inspect WASM plugins",
		Long: "Manage the plugins of a running Hearth server through its admin XRPC methods (dev.hearthpds.plugin.*),\n" +
			"so changes apply at once. The server must be running; paths are read by the server, so it must see them.",
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&c.base, "url", firstNonEmpty(lookupEnv(e.environ, "HEARTH_URL"), "http://127.0.0.1:2583"),
		"the server's base URL ($HEARTH_URL)")
	cmd.PersistentFlags().StringVar(&c.password, "admin-password", lookupEnv(e.environ, "HEARTH_ADMIN_PASSWORD"),
		"the server's admin password ($HEARTH_ADMIN_PASSWORD)")
	show := func(out map[string]any, err error) error {
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		_, err = fmt.Fprintln(e.stdout, string(b))
		return err
	}
	abs := func(p string) (string, error) {
		if p == "" {
			return "", nil
		}
		return filepath.Abs(p)
	}
	sub := func(use, short string, args cobra.PositionalArgs, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: args, RunE: run}
	}
	list := sub("list", "List the installed plugins", cobra.NoArgs, func(*cobra.Command, []string) error {
		out, err := c.call("list", nil, nil)
		if err != nil {
			return err
		}
		plugins, _ := out["plugins"].([]any)
		for _, p := range plugins {
			m, _ := p.(map[string]any)
			man, _ := m["manifest"].(map[string]any)
			fmt.Fprintf(e.stdout, "%s\t%v\t%v\n", man["id"], man["version"], m["state"])
		}
		return nil
	})
	inspect := sub("inspect ID", "Show a plugin's manifest, grant, state, errors and call statistics", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			return show(c.call("inspect", url.Values{"id": {a[0]}}, nil))
		})
	install := sub("install PATH", "Sideload a plugin from a folder or .zip (installed disabled, unverified)", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			p, err := abs(a[0])
			if err != nil {
				return err
			}
			return show(c.call("install", nil, map[string]any{"path": p}))
		})
	var grant string
	enable := sub("enable ID", "Enable a plugin with everything it declares, or with --grant", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			in := map[string]any{"id": a[0]}
			if grant != "" {
				var g []any
				if err := json.Unmarshal([]byte(grant), &g); err != nil {
					return fmt.Errorf("--grant must be a JSON array of capabilities: %w", err)
				}
				in["grant"] = g
			}
			return show(c.call("enable", nil, in))
		})
	enable.Flags().StringVar(&grant, "grant", "", `capabilities to grant, as JSON, e.g. '[{"kind":"kv:write"}]' (default: all declared)`)
	disable := sub("disable ID", "Disable a plugin", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			return show(c.call("disable", nil, map[string]any{"id": a[0]}))
		})
	var from string
	reload := sub("reload ID", "Reload a plugin (from --from, else the folder it came from if it is still there, else its installed copy); atomic swap", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			p, err := abs(from)
			if err != nil {
				return err
			}
			return show(c.call("reload", nil, map[string]any{"id": a[0], "path": p}))
		})
	reload.Flags().StringVar(&from, "from", "", "a new version's folder or .zip")
	var wipe bool
	uninstall := sub("uninstall ID", "Uninstall a plugin (--wipe also deletes its kv and data)", cobra.ExactArgs(1),
		func(_ *cobra.Command, a []string) error {
			if _, err := c.call("uninstall", nil, map[string]any{"id": a[0], "wipe": wipe}); err != nil {
				return err
			}
			_, err := fmt.Fprintln(e.stdout, "uninstalled", a[0])
			return err
		})
	uninstall.Flags().BoolVar(&wipe, "wipe", false, "also delete the plugin's kv and /data")
	configure := sub("config ID KEY=VALUE...", "Set configuration values (a JSON value, else text: banned='[\"spam\"]' greeting=hi)",
		cobra.MinimumNArgs(2), func(_ *cobra.Command, a []string) error {
			values, err := configValues(a[1:])
			if err != nil {
				return err
			}
			return show(c.call("configure", nil, map[string]any{"id": a[0], "config": values}))
		})
	var zipTo string
	pack := sub("pack DIR", "Prepare a plugin folder for installing: set plugin.toml's sha256 to the module's and validate it (no server needed)",
		cobra.ExactArgs(1), func(_ *cobra.Command, a []string) error {
			m, err := plugin.Pack(a[0], zipTo)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "%s %s: sha256 %s\n", m.ID, m.Version, m.SHA256)
			return err
		})
	pack.Flags().StringVar(&zipTo, "zip", "", "also write the bundle as this .zip")
	cmd.AddCommand(list, inspect, install, enable, disable, reload, uninstall, configure, pack)
	return cmd
}

// configValues parses KEY=VALUE arguments: a value that is JSON (a number,
// true, an array…) is taken as such, anything else as text.
func configValues(args []string) (map[string]any, error) {
	values := map[string]any{}
	for _, kv := range args {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", kv)
		}
		var parsed any
		if err := json.Unmarshal([]byte(v), &parsed); err == nil {
			values[k] = parsed
		} else {
			values[k] = v
		}
	}
	return values, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
