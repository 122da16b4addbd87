// Each entry exports its own classes only: the panel's from 'twin-panel', the
// widget's from 'twin-panel/widget' (TwinError, the codes and init from both).
// @ts-expect-error: ChatWidget is in 'twin-panel/widget'
import { ChatWidget } from 'twin-panel';
// @ts-expect-error: OperatorPanel is in 'twin-panel'
import { OperatorPanel } from 'twin-panel/widget';
// @ts-expect-error: Inbox is in 'twin-panel'
import { Inbox } from 'twin-panel/widget';
import { TwinError as PanelTwinError, DisconnectCode as PanelCodes } from 'twin-panel';
import { TwinError as WidgetTwinError, DisconnectCode as WidgetCodes } from 'twin-panel/widget';

export function entries(): void {
  console.log(ChatWidget, OperatorPanel, Inbox);
  // One TwinError type whichever entry it is imported from.
  const fromWidget = (e: WidgetTwinError): PanelTwinError => e;
  const fromPanel = (e: PanelTwinError): WidgetTwinError => e;
  const code: PanelCodes = WidgetCodes.DisconnectCalled;
  console.log(fromWidget, fromPanel, code);
}
