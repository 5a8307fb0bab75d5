import { Component, type ReactNode } from 'react';

/**
 * ErrorBoundary keeps a bug in one page from leaving a blank window: it
 * says what broke and offers to reload. Nothing is lost by reloading; the
 * data lives in the Go side.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="onboarding">
        <div className="onboarding-box narrow" role="alert">
          <h1>This page stopped working</h1>
          <p>Your account and its data are safe; only the window’s page failed. Reloading usually helps.</p>
          <pre className="logs">{String(this.state.error.message || this.state.error)}</pre>
          <div className="buttons">
            <button type="button" className="primary" onClick={() => window.location.reload()}>
              Reload
            </button>
          </div>
        </div>
      </div>
    );
  }
}
