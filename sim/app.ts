// The simulated shed for VS Code, by DeviceScript's convention for a simulator (`devs add sim`:
// a node program under sim/ that serves the hardware on the dev tools' bus, beside the firmware
// running in the extension's simulator): relays, socket meters, chargers, screen, button,
// thermistor and mains, with the broker and the backend simulator. `npm run start:vscode`;
// the same as `npm start -- --devtools` (README, "Simulating in VS Code").
if (!process.argv.includes("--devtools")) process.argv.push("--devtools")
void import("./live")
