"""The loss-curve explorer: MSE/MAE/Huber against the residual, BCE against p, focal loss against
p_t, each as the loss or as its gradient. The numbers come from quizapp.loss_panels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static, TabbedContent, TabPane

from quizapp import loss_panels
from quizapp.decks.models import CURVE_PANELS
from quizapp.ui.screens.base import TAB, QuizScreen, styles
from quizapp.ui.widgets.plots import Chart
from quizapp.ui.widgets.title_bar import TitleBar

TAB_TITLES = {"regression": "MSE · MAE · Huber", "bce": "Binary cross-entropy", "focal": "Focal"}


HUBER = Binding.Group("Huber δ")


class LossCurvesScreen(QuizScreen):
    """One tab per panel; ``g`` flips every panel between loss and gradient."""

    CSS_PATH = styles("curves")

    BINDINGS = [
        Binding("g", "toggle_gradient", "Loss / gradient"),
        # Grouped in the footer ("+ - Huber δ", "] [ Tab"): at 80 columns the five keys one by
        # one pushed "esc Back" and "? Help" off its end.
        Binding("plus,equals_sign", "delta(1)", "Huber δ +", key_display="+", group=HUBER),
        Binding("minus,underscore", "delta(-1)", "Huber δ −", key_display="-", group=HUBER),
        Binding("right_square_bracket", "next_panel(1)", "Next tab", key_display="]", group=TAB),
        Binding(
            "left_square_bracket", "next_panel(-1)", "Previous tab", key_display="[", group=TAB
        ),
        *(
            Binding(str(i), f"show_panel('{name}')", TAB_TITLES[name], show=False)
            for i, name in enumerate(CURVE_PANELS, start=1)
        ),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, panel: str = "regression") -> None:
        super().__init__()
        if panel not in CURVE_PANELS:
            raise ValueError(f"unknown curve panel {panel!r}")
        self.initial_panel = panel
        self.gradient = False
        self.delta = loss_panels.DELTA_DEFAULT

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="curves-status")
        with TabbedContent(initial=self.initial_panel, id="curve-tabs"):
            for name in CURVE_PANELS:
                with TabPane(TAB_TITLES[name], id=name):
                    yield Chart(id=f"chart-{name}", classes="curve-chart")
                    yield Static(id=f"facts-{name}", classes="curve-facts")
        yield Footer()

    def on_mount(self) -> None:
        for name in CURVE_PANELS:
            self.draw(name)
        self.update_status()
        self.query_one("#curve-tabs Tabs").focus()

    # -- drawing
    @property
    def panel_name(self) -> str:
        found = self.query("#curve-tabs")  # empty until composed (bindings are checked early)
        active = found.first(TabbedContent).active if found else ""
        return active or self.initial_panel

    def draw(self, name: str) -> None:
        data = loss_panels.panel(name, delta=self.delta)
        chart = self.query_one(f"#chart-{name}", Chart)
        what = "grad" if self.gradient else "loss"
        chart.lines(
            data.x,
            {s.name: getattr(s, what) for s in data.series},
            xlabel=data.x_label,
            ylabel=data.grad_label if self.gradient else data.loss_label,
            # Dotted guides where Huber turns from quadratic to linear.
            vlines=(-self.delta, self.delta) if name == "regression" else (),
        )
        facts = Text()
        for i, fact in enumerate(data.facts):
            if i:
                facts.append("\n")
            facts.append(" • ", style="bold cyan")
            facts.append(fact)
        self.query_one(f"#facts-{name}", Static).update(facts)

    def update_status(self) -> None:
        status = Text("Loss curves", style="bold")
        status.append("  ·  ")
        status.append("the gradient" if self.gradient else "the loss", style="bold yellow")
        status.append(" (g flips)", style="dim")
        if self.panel_name == "regression":  # δ means something on this tab only
            status.append("  ·  Huber ")
            status.append(f"δ = {self.delta:g}", style="bold yellow")
            status.append(
                f" (+/−: {loss_panels.DELTA_MIN:g} to {loss_panels.DELTA_MAX:g})", style="dim"
            )
        self.query_one("#curves-status", Static).update(status)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.update_status()
        self.refresh_bindings()  # the δ keys show on the Huber tab only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delta":
            return self.panel_name == "regression"
        return True

    # -- actions
    def action_toggle_gradient(self) -> None:
        self.gradient = not self.gradient
        for name in CURVE_PANELS:
            self.draw(name)
        self.update_status()

    def action_delta(self, steps: int) -> None:
        delta = loss_panels.step_delta(self.delta, steps)
        if delta == self.delta:
            self.notify(f"δ stays between {loss_panels.DELTA_MIN:g} and {loss_panels.DELTA_MAX:g}.")
            return
        self.delta = delta
        self.draw("regression")
        self.update_status()

    def action_next_panel(self, step: int) -> None:
        names = list(CURVE_PANELS)
        index = names.index(self.panel_name) if self.panel_name in names else 0
        self.action_show_panel(names[(index + step) % len(names)])

    def action_show_panel(self, name: str) -> None:
        self.query_one("#curve-tabs", TabbedContent).active = name

    def action_back(self) -> None:
        self.dismiss()
