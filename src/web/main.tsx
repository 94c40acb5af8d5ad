// The browser page's entry: the app, mounted into the page the server serves.

import { render } from "preact";
import "./style.css";
import { App } from "./ui/app.js";

const root = document.getElementById("app");
if (root !== null) {
  root.textContent = "";
  render(<App />, root);
}
