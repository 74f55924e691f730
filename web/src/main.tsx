// The operator console's entry (ADR 0035): Preact, built by Vite into web/dist/ and served by
// Custos under a strict CSP (src/http/web.routes.ts): no inline script or style, so presentation
// goes through classes in style.css and dynamic styles through the CSSOM only.
import { render } from 'preact';
import { App } from './app/App.tsx';
import './style.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
