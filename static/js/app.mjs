// Start every GOV.UK Frontend component on the page (menus, error summaries, buttons).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
