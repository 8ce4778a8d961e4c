import { Type } from '@sinclair/typebox';
import { baseProperties, flag, list, money, objectOptions, oneOf, openText } from './common.js';

export const resourceUsageProperties = Type.Object(
  {
    ...baseProperties,
    resource_type: openText('Kind of resource', [
      'vps_instance',
      'database',
      'storage',
      'bandwidth',
      'email_credits',
    ]),
    current_usage: Type.Number({ minimum: 0, description: 'Usage now, in the unit of capacity' }),
    capacity: Type.Number({ exclusiveMinimum: 0, description: 'Capacity, > 0' }),
    resource_id: Type.Optional(
      Type.String({ minLength: 1, description: 'One instance of the resource; defaults to resource_type' }),
    ),
    utilization_percentage: Type.Optional(
      Type.Number({ minimum: 0, description: 'current_usage / capacity × 100; computed when absent' }),
    ),
    usage_trend: Type.Optional(oneOf(['increasing', 'stable', 'decreasing'] as const, 'Direction of usage')),
    cost_per_unit: Type.Optional(money('USD per unit')),
    total_cost: Type.Optional(money('Monthly run-rate of this resource, USD')),
    optimization_opportunities: Type.Optional(list('Ways to save')),
    over_utilized: Type.Optional(flag('Above its healthy range')),
    under_utilized: Type.Optional(flag('Below its healthy range')),
    cost_efficient: Type.Optional(flag('Worth what it costs')),
  },
  objectOptions,
);
