"""Every named endpoint of the running app answers a wrong type or value with a sentence, never
Gradio's bare "Error". The endpoints and their inputs come from the app's own API description
(`Client.view_api`), so a new endpoint is covered without editing this file."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from tests.conftest import draw_sketch

pytestmark = [pytest.mark.served, pytest.mark.weights]

ODD_VALUES = [None, "lots", 2.5, -5, 10**12]
BARE_ERROR = "show_error=True"  # what gradio_client says when the app sent no message


@pytest.fixture(scope="module")
def client(app_url: str) -> Client:
    return Client(app_url, verbose=False)


@pytest.fixture(scope="module")
def named_endpoints(client: Client) -> dict[str, list[dict]]:
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    return {name: endpoint["parameters"] for name, endpoint in endpoints.items()}


@pytest.fixture(scope="module")
def local_picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("endpoints") / "seven.png"
    Image.fromarray(draw_sketch("7")).save(path)
    return path


def valid_value(parameter: dict, picture: Path) -> object:
    """The API description's example for ``parameter``, with any file it names (a URL on the internet,
    which this machine cannot reach) replaced by a local picture."""

    def local(value: object) -> object:
        if isinstance(value, dict) and "path" in value:
            return handle_file(str(picture))
        if isinstance(value, dict):
            return {key: local(item) for key, item in value.items()}
        if isinstance(value, list):
            return [local(item) for item in value]
        return value

    return local(parameter["example_input"])


def test_the_api_description_names_the_endpoints_of_all_four_tabs(named_endpoints: dict):
    assert {"/classify_digit", "/classify_garment", "/complete_digit", "/write"} <= set(named_endpoints)
    assert sum(len(parameters) for parameters in named_endpoints.values()) >= 10


def test_every_input_of_every_named_endpoint_answers_odd_values_with_a_sentence(
        client: Client, named_endpoints: dict, local_picture: Path):
    bare = []
    for name, parameters in named_endpoints.items():
        valid = [valid_value(parameter, local_picture) for parameter in parameters]
        for index, parameter in enumerate(parameters):
            for odd in ODD_VALUES:
                arguments = [odd if position == index else value for position, value in enumerate(valid)]
                try:
                    client.predict(*arguments, api_name=name)
                except AppError as error:  # refused: with a sentence, or bare
                    message = str(error.message or "")
                    if BARE_ERROR in message or len(message.split()) < 3:
                        bare.append(f"{name} {parameter['parameter_name']}={odd!r}: {message!r}")
    assert not bare, "bare errors:\n" + "\n".join(bare)


@pytest.mark.parametrize(("api_name", "value", "expected"), [
    ("/classify_digit", "lots", 'a drawing, {"background": None, "layers": [], "composite": handle_file(path)}'),
    ("/classify_garment", 2.5, "a picture, handle_file(path)"),
    ("/complete_digit", -5, "a drawing"),
])
def test_an_image_input_sent_a_non_picture_says_what_it_takes(client: Client, api_name: str, value: object,
                                                              expected: str):
    with pytest.raises(AppError) as refused:
        client.predict(value, api_name=api_name)
    assert expected in refused.value.message and repr(value) in refused.value.message


@pytest.mark.parametrize(("api_name", "arguments"), [
    ("/shakespeare_cell", ["the pasted text", "", "To be, or not to be", None]),
    ("/shakespeare_cell", ["the pasted text", "", "To be, or not to be", "lots"]),
    ("/shakespeare_candidates", ["the pasted text", "", "To be, or not to be", "lots"]),
])
def test_the_hood_numbers_sent_a_word_or_nothing_say_they_take_a_number(client: Client, api_name: str,
                                                                        arguments: list):
    with pytest.raises(AppError, match="This input takes a number, not "):
        client.predict(*arguments, api_name=api_name)


def test_a_drawing_still_reads_after_the_checks(client: Client, local_picture: Path):
    drawing = {"background": None, "layers": [], "composite": handle_file(str(local_picture))}
    label, _ = client.predict(drawing, api_name="/classify_digit")
    assert label["label"] == "7"
